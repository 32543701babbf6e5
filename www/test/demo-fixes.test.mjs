// Demo-page defects, in Chromium against the real server: the code badge
// of an error answer is readable (WCAG AA), a read-only app gets a
// read-only form, an unknown entity shows "not found" and no form, two
// pending changes get two verification steps (each finished in the page),
// untitled nested fields get readable labels, the engine's messages
// are worded for people, in the form's language, and a production server
// (`demo = false`) serves no page that would fail on `/demo/apps`. Each step is saved as a
// screenshot in target/screenshots/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FORM, field, freshEntity, getJson, launch, openAccount, required, screenshot } from "./browser.mjs";

const base = required("PACTUM_BASE_URL");
let chromium;
let apps;
let entities;

before(async () => {
  chromium = await launch();
  apps = await getJson(base, "/demo/apps");
  entities = await getJson(base, "/demo/entities");
  assert.ok(entities.length >= 1, `the demo needs an entity: ${JSON.stringify(entities)}`);
});

after(async () => {
  await chromium?.close();
});

/** An id no demo entity has. */
function unknownId() {
  return Math.max(...entities.map((entity) => entity.dpKeyid)) + 987_654;
}

/** Opens the page and asks for an entity; waits until the form element has shown it (or said it is not there). */
function open(appName, dpKeyid, contract, language) {
  return openAccount(chromium, base, { app: appName, entity: dpKeyid, contract, language });
}

/** A full-permission app (the one that can produce answers of every kind). */
function writer() {
  const found = apps.find((candidate) => ["read", "update"].every((p) => candidate.permissions.includes(p)));
  assert.ok(found, `no demo app reads and updates: ${JSON.stringify(apps)}`);
  return found;
}

/** The text/background contrast ratio of a badge, as WCAG 2 computes it, from its computed colours. */
function contrast(badge) {
  return badge.evaluate((element) => {
    const rgb = (text) => (text.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]) => {
      const channel = (value) => {
        const c = value / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    // The badge's own background, or the first opaque one behind it.
    let behind = element;
    let background = getComputedStyle(behind).backgroundColor;
    while (behind && (background === "transparent" || rgb(background)[3] === 0)) {
      behind = behind.parentElement;
      background = behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)";
    }
    const color = getComputedStyle(element).color;
    const [a, b] = [luminance(rgb(color)), luminance(rgb(background))].sort((x, y) => y - x);
    return { color, background, ratio: (a + 0.05) / (b + 0.05), text: element.textContent };
  });
}

describe("demo-page fixes", () => {
  test("the code badge of a not-found answer (404.1) has a WCAG AA contrast (>= 4.5:1)", async () => {
    const { page, problems } = await open(writer().name, unknownId());
    const badge = page.locator(`${FORM} .pf-code.pf-problem`).first();
    await badge.waitFor({ state: "visible", timeout: 10_000 });
    const measured = await contrast(badge);
    await screenshot(page, "10-error-badge-contrast");
    assert.ok(measured.ratio >= 4.5, `the badge "${measured.text}" is ${measured.color} on ${measured.background}: contrast ${measured.ratio.toFixed(2)}:1 < 4.5:1`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("the code badge of a save's error answer (400.2) has a WCAG AA contrast (>= 4.5:1)", async () => {
    assert.ok(entities.length >= 2, "the demo needs two entities");
    const [first, second] = entities;
    const other = await getJson(base, `/userentity/dp-keyid/${second.dpKeyid}/data/profile`, writer().key);
    const taken = other.entity?.email;
    assert.ok(taken, `entity ${second.dpKeyid} has no e-mail to collide with`);
    const { page, problems } = await open(writer().name, first.dpKeyid, "profile");
    await page.fill(field("email"), taken.toUpperCase());
    await page.waitForSelector(`${FORM}-save[aria-disabled='false']`);
    await page.keyboard.press("Enter");
    const badge = page.locator(`${FORM}-answer .pf-code.pf-problem`);
    await badge.waitFor({ state: "visible", timeout: 10_000 });
    assert.equal(await badge.getAttribute("data-code"), "400.2");
    const measured = await contrast(badge);
    await screenshot(page, "13-answer-badge-contrast");
    assert.ok(measured.ratio >= 4.5, `the badge "${measured.text}" is ${measured.color} on ${measured.background}: contrast ${measured.ratio.toFixed(2)}:1 < 4.5:1`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("an app without the update permission gets a read-only form, no usable Save, and a note why", async () => {
    const reader = apps.find((candidate) => candidate.permissions.includes("read") && !candidate.permissions.includes("update"));
    assert.ok(reader, `no demo app reads without updating: ${JSON.stringify(apps)}`);
    const { page, problems } = await open(reader.name, entities[0].dpKeyid);
    await page.waitForSelector(`${FORM} input, ${FORM} textarea, ${FORM} select`);
    const editable = await page.$$eval(`${FORM} input, ${FORM} textarea, ${FORM} select`, (controls) =>
      controls.filter((control) => !control.matches(":disabled") && !control.readOnly).map((control) => control.id || control.name),
    );
    assert.deepEqual(editable, [], "every control of a read-only app's form is read-only or disabled");
    const save = page.locator(`${FORM}-save`);
    const saveUsable = (await save.count()) > 0 && (await save.isVisible()) && (await save.isEnabled());
    assert.equal(saveUsable, false, "Save is disabled or hidden for an app that may not update");
    const note = page.locator(`${FORM}-note`);
    await note.waitFor({ state: "visible", timeout: 5_000 });
    assert.match(await note.textContent(), /update/i);
    assert.match(await page.textContent("#account-title"), new RegExp(reader.name));
    await screenshot(page, "11-read-only-app");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("an unknown entity shows only a not-found message, no form", async () => {
    const missing = unknownId();
    const { page, problems } = await open(writer().name, missing);
    const message = page.locator(`${FORM}-not-found`);
    await message.waitFor({ state: "visible", timeout: 10_000 });
    const text = await message.textContent();
    assert.match(text, /not found/i);
    assert.match(text, new RegExp(String(missing)));
    assert.match(await message.getAttribute("data-code"), /^404\.[12]$/);
    const visibleInputs = await page.locator("#account input, #account textarea, #account select").evaluateAll((controls) =>
      controls.filter((control) => control.checkVisibility()).map((control) => control.id || control.name),
    );
    assert.deepEqual(visibleInputs, [], "no form inputs for an entity that does not exist");
    assert.equal(await page.locator(`${FORM} .pf-field`).count(), 0, "no form fields are built");
    assert.equal(await page.locator(`${FORM}-save`).count(), 0, "no Save button");
    assert.equal(await page.locator(`${FORM} .pf-error .pf-message`).count(), 0, "no 'required' errors");
    assert.equal(await page.locator("#stored-box").isVisible(), false, "no stored values beside it");
    await screenshot(page, "12-entity-not-found");
    assert.deepEqual(problems, []);
    await page.close();
  });
  test("changing e-mail and mobile together gives one verification step per field, each finished in the page", async () => {
    const app = writer();
    const dpKeyid = await freshEntity(base, app.key, "Two Codes");
    const { page, problems } = await open(app.name, dpKeyid, "profile");
    const email = `two.codes.${dpKeyid}@example.com`;
    await page.fill(field("email"), email);
    await page.fill(field("mobile"), "21 43 65 87");
    await page.waitForSelector(`${FORM}-save[aria-disabled='false']`);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${FORM}-answer[data-code='200.1']`, { timeout: 10_000 });
    // Two codes went out: two steps, each with its own labelled code box and Verify button.
    const steps = page.locator(`${FORM}-steps .pf-step`);
    await steps.nth(1).waitFor({ timeout: 5_000 });
    assert.deepEqual(await steps.evaluateAll((forms) => forms.map((form) => form.dataset.field)), ["email", "mobile"]);
    for (const [name, label] of [["email", "E-mail"], ["mobile", "Mobile"]]) {
      const code = page.getByLabel(`Code for ${label}`, { exact: true });
      assert.equal(await code.count(), 1, `one code box labelled "Code for ${label}"`);
      assert.equal(await code.getAttribute("id"), `${FORM.slice(1)}-step-${name}-code`);
      assert.equal(await page.getByRole("button", { name: `Verify ${label}` }).count(), 1);
    }
    await screenshot(page, "14-two-verification-steps");

    await page.click("#show-codes");
    await page.waitForSelector(".dev-code-value[data-field='email']");
    await page.waitForSelector(".dev-code-value[data-field='mobile']");
    const codes = Object.fromEntries(
      await page.locator(".dev-code-value").evaluateAll((values) => values.map((value) => [value.dataset.field, value.textContent.trim()])),
    );
    // The mobile step first (the second code sent): the e-mail's step stays.
    await page.fill(`${FORM}-step-mobile-code`, codes.mobile);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${FORM}-step-mobile`, { state: "detached", timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector("#stored [data-field='mobile']")?.textContent === "+4521436587");
    assert.equal(await steps.count(), 1, "the e-mail's step is still there");
    assert.match(await page.textContent(`${FORM}-steps-status`), /Mobile is confirmed/);
    await screenshot(page, "15-one-step-left");
    await page.fill(`${FORM}-step-email-code`, codes.email);
    await page.click(`${FORM}-step-email-verify`);
    await page.waitForSelector(`${FORM}-steps`, { state: "hidden", timeout: 10_000 });
    await page.waitForFunction((value) => document.querySelector("#stored [data-field='email']")?.textContent === value, email);
    assert.match(await page.textContent(`${FORM}-steps-status`), /E-mail is confirmed/);
    const stored = await getJson(base, `/userentity/dp-keyid/${dpKeyid}/data/profile`, app.key);
    assert.equal(stored.entity.email, email);
    assert.equal(stored.entity.mobile, "+4521436587");
    await screenshot(page, "16-both-verified");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("untitled nested fields are labelled in words, not by their raw keys", async () => {
    const { page, problems } = await open(writer().name, entities[0].dpKeyid, "profile");
    // The profile's address has no titles for street, city and zip.
    const labels = await page.$$eval(`${FORM} fieldset[data-pointer='/address'] label`, (found) => found.map((label) => label.textContent.replace(/\s*\*$/, "").trim()));
    assert.deepEqual(labels, ["Street", "City", "Zip"]);
    // The accessible name, as a screen reader announces it (the required mark is aria-hidden).
    assert.equal(await page.getByRole("textbox", { name: "City", exact: true }).getAttribute("id"), field("/address/city").slice(1));
    assert.equal(await page.textContent(`${FORM} fieldset[data-pointer='/address'] > legend`), "Address");
    const words = await page.evaluate(async () => {
      const { humanise } = await import("/static/dist/sdk/index.js");
      return ["city", "zip_code", "zipCode", "homeURL", "cardNumber"].map(humanise);
    });
    assert.deepEqual(words, ["City", "Zip code", "Zip code", "Home URL", "Card number"]);
    await screenshot(page, "17-nested-labels");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("the engine's messages are shown in words for people, in the form's language", async () => {
    for (const [language, pattern, tooLong] of [
      ["en", "is not in the expected form", "must be at most 20 characters long"],
      ["da", "har ikke den forventede form", "må højst være 20 tegn lang"],
    ]) {
      const { page, problems } = await open(writer().name, entities[0].dpKeyid, "profile", language);
      assert.equal(await page.getAttribute(FORM, "lang"), language);
      const zip = field("/address/zip");
      await page.fill(field("/address/city"), "Aarhus");
      await page.fill(zip, "12a");
      await page.waitForSelector(`${zip}[aria-invalid='true']`);
      const text = (await page.textContent(`${zip}-error`)).trim();
      assert.doesNotMatch(text, /\^\[0-9\]|does not match|"12a"/, `developer text under Zip: ${text}`);
      assert.equal(text.replace(/^⚠\s*/, ""), pattern);
      const tags = field("tags");
      await page.fill(tags, "a-tag-longer-than-twenty");
      await page.press(tags, "Enter");
      await page.waitForSelector(`${tags}[aria-invalid='true']`);
      assert.equal((await page.textContent(`${tags}-error`)).trim().replace(/^⚠\s*/, ""), tooLong);
      await screenshot(page, `18-readable-messages-${language}`);
      assert.deepEqual(problems, []);
      await page.close();
    }
  });

  test("a production server (demo = false) serves no demo page, so none fails on /demo/apps; the SDK's files stay", async () => {
    const production = required("PACTUM_PRODUCTION_URL");
    const page = await chromium.context.newPage();
    const demoCalls = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname.startsWith("/demo/")) demoCalls.push(request.url());
    });
    const response = await page.goto(`${production}/`);
    assert.equal(response.status(), 404, "GET / without the demo");
    await screenshot(page, "19-production-no-page");
    assert.deepEqual(demoCalls, [], "nothing asked for the demo's routes");
    assert.equal((await fetch(`${production}/demo/apps`)).status, 404);
    const module = await fetch(`${production}/pkg/pactum_wasm_bg.wasm`);
    assert.equal(module.status, 200, "the SDK's module is served without the demo");
    await page.close();
  });
});
