// The form element's use of the server's dry run (`PUT ...?dryRun=true`:
// the answer a save would get, nothing committed, `Pactum-Dry-Run: true`):
// leaving a unique field with a value another entity holds shows the
// server's 400.2 under it before Save is pressed. Nothing is saved here.
// This needs a server with the switch (and documenting it in
// /openapi.json, which is how the element knows it may send one: a
// server without it would ignore the switch and commit).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FORM, field, freshEntity, getJson, launch, openAccount, required, screenshot } from "./browser.mjs";

const base = required("PACTUM_BASE_URL");
let chromium;
let writer;
let entities;

before(async () => {
  chromium = await launch();
  const apps = await getJson(base, "/demo/apps");
  writer = apps.find((candidate) => ["read", "update"].every((p) => candidate.permissions.includes(p)));
  assert.ok(writer, `no demo app reads and updates: ${JSON.stringify(apps)}`);
  entities = await getJson(base, "/demo/entities");
  assert.ok(entities.length >= 2, "the demo needs two entities");
});

after(async () => {
  await chromium?.close();
});

describe("the form element's dry run", () => {
  test("leaving the e-mail field with an address another entity holds shows 400.2 before Save, and saves nothing", async () => {
    const taken = (await getJson(base, `/userentity/dp-keyid/${entities[1].dpKeyid}/data/profile`, writer.key)).entity?.email;
    assert.ok(taken, `entity ${entities[1].dpKeyid} has no e-mail to collide with`);
    const dpKeyid = await freshEntity(base, writer.key, "Dry Run");
    const { page, problems } = await openAccount(chromium, base, { app: writer.name, entity: dpKeyid, contract: "profile" });
    const puts = [];
    page.on("request", (request) => request.method() === "PUT" && puts.push(request.url()));
    const email = field("email");
    await page.fill(email, taken.toUpperCase());
    await page.waitForSelector(`${FORM}-save[aria-disabled='false']`); // the module accepts it: only the database knows
    const dryRun = page.waitForResponse((response) => response.request().method() === "PUT" && new URL(response.url()).searchParams.get("dryRun") === "true", { timeout: 10_000 });
    await page.keyboard.press("Tab"); // submit-intent: the unique field loses focus
    const answer = await dryRun;
    assert.equal(answer.headers()["pactum-dry-run"], "true", "the server answered as a dry run");
    assert.equal(answer.status(), 400);
    await page.waitForSelector(`${email}[aria-invalid='true']`);
    assert.match(await page.textContent(`${email}-error`), /e-mail address is not unique/);
    assert.equal(await page.getAttribute(`${email}-error .pf-message`, "data-code"), "400.2");
    assert.equal(await page.getAttribute(`${FORM}-save`, "aria-disabled"), "true", "Save waits for another address");
    assert.ok(puts.length >= 1 && puts.every((url) => new URL(url).searchParams.get("dryRun") === "true"), `only dry runs were sent: ${puts.join(", ")}`);
    await screenshot(page, "30-dry-run-email-taken");
    const stored = await getJson(base, `/userentity/dp-keyid/${dpKeyid}/data/profile`, writer.key);
    assert.equal(stored.entity.email, undefined, "nothing was committed");
    assert.deepEqual(problems, []);
    await page.close();
  });
});
