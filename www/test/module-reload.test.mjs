// The SDK follows the server's module: an answer whose `Pactum-Module`
// header names another module makes `LiveContract` fetch the contract
// again, load and verify the new module, swap it in and dispatch
// `modulechange`. The server is not touched: playwright rewrites one PUT
// answer's header and serves `/contracts/profile` and the "new" module (the
// served bytes with a custom section appended, so their hash differs).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { FORM, field, getJson, launch, required, screenshot } from "./browser.mjs";

const base = required("PACTUM_BASE_URL");
let chromium;
let app;
let entities;
let original;
let bytes;

before(async () => {
  chromium = await launch();
  const apps = await getJson(base, "/demo/apps");
  app = apps.find((candidate) => candidate.defaultContract === "profile" && candidate.permissions.includes("update"));
  assert.ok(app, `no demo app updates through "profile": ${JSON.stringify(apps)}`);
  entities = await getJson(base, "/demo/entities");
  assert.ok(entities.length >= 1, "the demo has no entity");
  original = await getJson(base, "/contracts/profile");
  const response = await fetch(base + original.moduleUrl);
  assert.equal(response.status, 200);
  bytes = new Uint8Array(await response.arrayBuffer());
  assert.equal(sha256(bytes), original.moduleSha256, "the served module hashes to the contract's moduleSha256");
});

after(async () => {
  await chromium?.close();
});

function sha256(data) {
  return createHash("sha256").update(data).digest("hex");
}

function leb128(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** The module with a custom section appended: the same code, another file and hash. */
function withCustomSection(module, name, payload) {
  const nameBytes = new TextEncoder().encode(name);
  const payloadBytes = new TextEncoder().encode(payload);
  const content = [...leb128(nameBytes.length), ...nameBytes, ...payloadBytes];
  return new Uint8Array([...module, 0x00, ...leb128(content.length), ...content]);
}

/**
 * Routes for one page: `swapTo(hash, served)` makes the next PUT answer
 * about "profile" name `hash`, and from then on `/contracts/profile` names
 * it too, its module URL serving `served`.
 */
async function fakeServer(page) {
  const state = { header: null, document: null, modules: new Map(), rewritten: 0, moduleFetches: 0 };
  await page.route(
    (url) => url.pathname.endsWith("/data/profile"),
    async (route) => {
      if (route.request().method() !== "PUT" || state.header === null) return route.continue();
      const response = await route.fetch();
      assert.ok(response.headers()["pactum-module"], "the server's PUT answer carries Pactum-Module");
      const header = state.header;
      state.header = null;
      state.rewritten += 1;
      return route.fulfill({ response, headers: { ...response.headers(), "pactum-module": header } });
    },
  );
  await page.route(
    (url) => url.pathname === "/contracts/profile",
    (route) => (state.document ? route.fulfill({ json: state.document }) : route.continue()),
  );
  await page.route(
    (url) => url.pathname.startsWith("/modules/") && state.modules.has(url.pathname),
    (route) => {
      state.moduleFetches += 1;
      return route.fulfill({ status: 200, contentType: "application/wasm", body: Buffer.from(state.modules.get(new URL(route.request().url()).pathname)) });
    },
  );
  return {
    state,
    swapTo(hash, served) {
      const moduleUrl = `/modules/${hash}.wasm`;
      state.modules.set(moduleUrl, served);
      state.document = { ...original, moduleSha256: hash, moduleUrl };
      state.header = hash;
    },
  };
}

describe("the SDK follows the server's module", () => {
  test("a PUT answer naming another module swaps it in, emits modulechange, and in-flight calls finish on the old one", async () => {
    const page = await chromium.context.newPage();
    const problems = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${base}/`);
    const server = await fakeServer(page);
    const reloaded = withCustomSection(bytes, "pactum-test-reload", "the same code, another file");
    const reloadedHash = sha256(reloaded);
    assert.notEqual(reloadedHash, original.moduleSha256);
    const forged = withCustomSection(bytes, "pactum-test-forged", "bytes that are not the named module");
    const forgedName = sha256(withCustomSection(bytes, "pactum-test-forged", "what the header names"));

    await page.evaluate(async () => {
      const { LiveContract } = await import("/static/dist/sdk/index.js");
      const live = await LiveContract.open({ id: "profile" });
      const events = [];
      live.addEventListener("modulechange", (event) => events.push({ type: event.type, previous: event.previousSha256, sha256: event.sha256, contract: event.contract.moduleSha256 }));
      live.addEventListener("moduleerror", (event) => events.push({ type: event.type, requested: event.requested, error: event.error?.name, message: String(event.error?.message) }));
      window.live = live;
      window.events = events;
    });
    assert.equal(await page.evaluate(() => window.live.sha256), original.moduleSha256);

    server.swapTo(reloadedHash, reloaded);
    const first = await page.evaluate(
      async ({ key, dpKeyid }) => {
        const live = window.live;
        const old = live.pactum;
        const log = [];
        // Hold one evaluation on the old instance until the swap is done.
        let release;
        const gate = new Promise((resolve) => (release = resolve));
        const evaluate = old.evaluate.bind(old);
        old.evaluate = async (request) => {
          await gate;
          log.push("old instance evaluates");
          return evaluate(request);
        };
        const close = old.close.bind(old);
        old.close = () => {
          log.push("old instance closed");
          close();
        };
        const held = live.checkField({}, "/mobile", "12");
        const changed = new Promise((resolve) => live.addEventListener("modulechange", () => resolve(), { once: true }));
        // A rejected update: the module ran (the answer names it), nothing is stored.
        const response = await live.fetch(`/userentity/dp-keyid/${dpKeyid}/data/profile`, {
          method: "PUT",
          headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
          body: JSON.stringify({ mobile: "12" }),
        });
        const answer = { status: response.status, header: response.headers.get("Pactum-Module"), body: await response.json() };
        await changed;
        log.push("modulechange");
        const afterSwap = { sha256: live.sha256, oldStillOpen: !log.includes("old instance closed"), newIsOther: live.pactum !== old };
        release();
        const heldErrors = await held;
        const invalid = await live.checkField({}, "/mobile", "28 34 5");
        const valid = await live.checkField({}, "/mobile", "28 34 57 89");
        const outcome = await live.evaluate({ operation: "update", current: {}, payload: { mobile: "12", email: "not an e-mail" } });
        return {
          answer,
          afterSwap,
          log,
          heldErrors,
          invalid,
          valid,
          outcome,
          events: window.events.slice(),
          document: live.contract.moduleSha256,
        };
      },
      { key: app.key, dpKeyid: entities[0].dpKeyid },
    );
    assert.equal(server.state.rewritten, 1);
    assert.equal(server.state.moduleFetches, 1, "the new module was fetched once");
    assert.equal(first.answer.status, 400);
    assert.equal(first.answer.header, reloadedHash, "the page saw the rewritten header");
    assert.equal(first.answer.body.code, "400.3");
    assert.deepEqual(first.events, [{ type: "modulechange", previous: original.moduleSha256, sha256: reloadedHash, contract: reloadedHash }]);
    assert.deepEqual(first.afterSwap, { sha256: reloadedHash, oldStillOpen: true, newIsOther: true });
    assert.equal(first.document, reloadedHash);
    // The held evaluation ran on the old instance after the swap, and only then was it closed.
    assert.deepEqual(first.log, ["modulechange", "old instance evaluates", "old instance closed"]);
    assert.deepEqual(first.heldErrors.map((error) => error.code), ["400.3"]);
    // Validation goes on with the new module.
    assert.deepEqual(first.invalid.map((error) => [error.pointer, error.code]), [["/mobile", "400.3"]]);
    assert.deepEqual(first.valid, []);
    assert.equal(first.outcome.type, "decision");
    const pointers = first.outcome.errors.map((error) => error.pointer);
    assert.ok(pointers.includes("/email") && pointers.includes("/mobile"), `errors at /email and /mobile: ${JSON.stringify(first.outcome.errors)}`);

    // A header naming a module whose served bytes hash otherwise: refused, the module in use stays.
    server.swapTo(forgedName, forged);
    const second = await page.evaluate(
      async ({ key, dpKeyid }) => {
        const live = window.live;
        const failed = new Promise((resolve) => live.addEventListener("moduleerror", () => resolve(), { once: true }));
        await live.fetch(`/userentity/dp-keyid/${dpKeyid}/data/profile`, {
          method: "PUT",
          headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
          body: JSON.stringify({ mobile: "12" }),
        });
        await failed;
        const again = await live.observe(window.events.at(-1).requested); // remembered: no second try
        return { sha256: live.sha256, again, event: window.events.at(-1), invalid: await live.checkField({}, "/mobile", "12") };
      },
      { key: app.key, dpKeyid: entities[0].dpKeyid },
    );
    assert.equal(second.event.type, "moduleerror");
    assert.equal(second.event.requested, forgedName);
    assert.equal(second.event.error, "ModuleHashError");
    assert.match(second.event.message, new RegExp(`SHA-256 is ${sha256(forged)}, not the expected ${forgedName}`));
    assert.equal(second.again, false);
    assert.equal(second.sha256, reloadedHash, "a refused module leaves the one in use");
    assert.deepEqual(second.invalid.map((error) => error.code), ["400.3"]);
    assert.deepEqual(problems, []);
    await page.evaluate(() => window.live.close());
    await page.close();
  });

  test("the demo page reloads the module a save answer names and validates with it", async () => {
    const page = await chromium.context.newPage();
    const problems = [];
    page.on("pageerror", (error) => problems.push(error.message));
    const server = await fakeServer(page);
    await page.goto(`${base}/`);
    await page.waitForSelector("body[data-ready='true']", { timeout: 20_000 });
    await page.selectOption("#app", app.name);
    await page.selectOption("#contract", "profile");
    // An active entity whose stored profile is valid (so a name change can be saved), not the one demo.test.mjs edits.
    let entity;
    for (const candidate of entities.filter((entry) => entry.status === "active").reverse()) {
      const stored = await getJson(base, `/userentity/dp-keyid/${candidate.dpKeyid}/data/profile`, app.key);
      if (stored.entity?.email && stored.entity?.mobile && stored.entity?.name) {
        entity = candidate;
        break;
      }
    }
    assert.ok(entity, `no active entity with a whole profile: ${JSON.stringify(entities)}`);
    await page.fill("#entity", String(entity.dpKeyid));
    await page.click("#open");
    await page.waitForSelector("#account:not([hidden])");
    await page.waitForSelector(`#module-status[data-module='${original.moduleSha256}']`);

    const reloaded = withCustomSection(bytes, "pactum-test-demo", "the demo page's new module");
    const reloadedHash = sha256(reloaded);
    server.swapTo(reloadedHash, reloaded);
    // A change the module accepts and the server stores without a code: the name.
    const name = `Reload ${Date.now() % 100000}`;
    await page.fill(field("name"), name);
    await page.waitForSelector(`${FORM}-save[aria-disabled='false']`);
    await page.click(`${FORM}-save`);
    await page.waitForSelector(`${FORM}-answer[data-code]`, { timeout: 10_000 });
    assert.match(await page.getAttribute(`${FORM}-answer`, "data-code"), /^200/, "the name change is saved");
    await page.waitForSelector(`#module-status[data-module='${reloadedHash}']`, { timeout: 10_000 });
    assert.equal(server.state.rewritten, 1);
    assert.equal(server.state.moduleFetches, 1);
    assert.match(await page.textContent("#module-status"), new RegExp(`Module ${reloadedHash.slice(0, 12)}… loaded .*replacing ${original.moduleSha256.slice(0, 12)}`));

    // Validation still works, now with the new module.
    const mobile = field("mobile");
    await page.fill(mobile, "");
    await page.locator(mobile).pressSequentially("28 34 5", { delay: 20 });
    await page.waitForSelector(`${mobile}[aria-invalid='true']`);
    assert.equal(await page.getAttribute(`${mobile}-error .pf-message`, "data-code"), "400.3");
    assert.equal(await page.getAttribute(`${FORM}-save`, "aria-disabled"), "true");
    await page.locator(mobile).pressSequentially("7 89", { delay: 20 });
    await page.waitForSelector(`${mobile}:not([aria-invalid])`);
    await screenshot(page, "09-module-reloaded");
    assert.deepEqual(problems, []);
    await page.close();
  });
});
