// The demo's account form (the SDK's `<pactum-form>`) checked with
// axe-core in Chromium: 0 violations in every state the page goes
// through (the initial form, field errors, a refused save, two pending
// verifications, one, verified, read-only, not found, phone width), and
// usable with the keyboard alone. Each state is saved as a screenshot in
// target/screenshots/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FORM, assertAccessible, field, freshEntity, getJson, launch, openAccount, required, screenshot, sentCode } from "./browser.mjs";

const base = required("PACTUM_BASE_URL");
let chromium;
let apps;
let writer;
let entities;

before(async () => {
  chromium = await launch();
  apps = await getJson(base, "/demo/apps");
  writer = apps.find((candidate) => ["read", "update", "verify"].every((p) => candidate.permissions.includes(p)));
  assert.ok(writer, `no demo app reads, updates and verifies: ${JSON.stringify(apps)}`);
  entities = await getJson(base, "/demo/entities");
});

after(async () => {
  await chromium?.close();
});

describe("the account form with axe-core", () => {
  test("the initial form, field errors and a refused save have no violations; focus goes to the first invalid field", async () => {
    const { page, problems } = await openAccount(chromium, base, { app: writer.name, entity: entities[0].dpKeyid, contract: "profile" });
    await page.waitForFunction((form) => document.querySelector(`${form}-summary`)?.textContent !== "", FORM);
    await assertAccessible(page, "initial form");
    await screenshot(page, "20-a11y-initial");

    await page.fill(field("mobile"), "12");
    await page.fill(field("/address/zip"), "12a");
    await page.waitForSelector(`${field("mobile")}[aria-invalid='true']`);
    await page.waitForSelector(`${field("/address/zip")}[aria-invalid='true']`);
    await assertAccessible(page, "field errors");
    await screenshot(page, "21-a11y-field-errors");

    // Save from the keyboard while the module refuses: nothing is sent, focus goes to the first invalid field.
    let sent = 0;
    page.on("request", (request) => request.method() === "PUT" && sent++);
    await page.focus(`${FORM}-save`);
    await page.keyboard.press("Enter");
    await page.waitForFunction((id) => document.activeElement?.id === id, field("mobile").slice(1));
    await page.waitForFunction((form) => /problems to fix before saving/.test(document.querySelector(`${form}-summary`)?.textContent ?? ""), FORM);
    assert.equal(sent, 0, "a refused save sends nothing");
    await assertAccessible(page, "refused save");
    await screenshot(page, "22-a11y-refused-save");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("two pending verifications, one, and verified have no violations", async () => {
    const dpKeyid = await freshEntity(base, writer.key, "Axe Check");
    const { page, problems } = await openAccount(chromium, base, { app: writer.name, entity: dpKeyid, contract: "profile" });
    const email = `axe.${dpKeyid}@example.com`;
    await page.fill(field("email"), email);
    await page.fill(field("mobile"), "22 33 44 55");
    await page.waitForSelector(`${FORM}-save[aria-disabled='false']`);
    await page.click(`${FORM}-save`);
    await page.waitForSelector(`${FORM}-step-mobile`);
    await page.waitForSelector(`${FORM}-step-email`);
    await assertAccessible(page, "two pending verifications");
    await screenshot(page, "23-a11y-two-pending");

    await page.fill(`${FORM}-step-email-code`, await sentCode(base, dpKeyid, "email"));
    await page.click(`${FORM}-step-email-verify`);
    await page.waitForSelector(`${FORM}-step-email`, { state: "detached" });
    assert.equal(await page.evaluate(() => document.activeElement?.id), `${FORM.slice(1)}-step-mobile-code`, "focus goes on to the step left");
    await assertAccessible(page, "one pending verification");
    await screenshot(page, "24-a11y-one-pending");

    // A wrong code first: its error is under the step's box, which keeps focus.
    await page.fill(`${FORM}-step-mobile-code`, "0000");
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${FORM}-step-mobile-code[aria-invalid='true']`);
    assert.match(await page.textContent(`${FORM}-step-mobile-error`), /the code does not match/);
    await assertAccessible(page, "a wrong code");
    await page.fill(`${FORM}-step-mobile-code`, await sentCode(base, dpKeyid, "mobile"));
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${FORM}-steps`, { state: "hidden" });
    await page.waitForFunction((form) => /Mobile is confirmed/.test(document.querySelector(`${form}-steps-status`)?.textContent ?? ""), FORM);
    assert.equal(await page.inputValue(field("email")), email);
    await assertAccessible(page, "verified");
    await screenshot(page, "25-a11y-verified");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("the read-only form (an app without update) and not found have no violations", async () => {
    const reader = apps.find((candidate) => candidate.permissions.includes("read") && !candidate.permissions.includes("update"));
    assert.ok(reader, `no demo app reads without updating: ${JSON.stringify(apps)}`);
    const readOnly = await openAccount(chromium, base, { app: reader.name, entity: entities[0].dpKeyid, contract: "profile" });
    await readOnly.page.waitForSelector(`${FORM}-note`);
    await assertAccessible(readOnly.page, "read-only");
    await screenshot(readOnly.page, "26-a11y-read-only");
    assert.deepEqual(readOnly.problems, []);
    await readOnly.page.close();

    const missing = Math.max(...entities.map((entity) => entity.dpKeyid)) + 987_654;
    const notFound = await openAccount(chromium, base, { app: writer.name, entity: missing, contract: "profile" });
    await notFound.page.waitForSelector(`${FORM}-not-found`);
    await assertAccessible(notFound.page, "not found");
    await screenshot(notFound.page, "27-a11y-not-found");
    assert.deepEqual(notFound.problems, []);
    await notFound.page.close();
  });

  test("at phone width the form has no violations and nothing runs off the side", async () => {
    const { page, problems } = await openAccount(chromium, base, { app: writer.name, entity: entities[0].dpKeyid, contract: "profile" });
    await page.setViewportSize({ width: 360, height: 740 });
    await page.fill(field("mobile"), "12");
    await page.waitForSelector(`${field("mobile")}[aria-invalid='true']`);
    await assertAccessible(page, "phone width");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone's screen`);
    await screenshot(page, "28-a11y-phone");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("the form is usable with the keyboard alone: open, edit, save", async () => {
    const dpKeyid = await freshEntity(base, writer.key, "Key Board");
    const page = await chromium.context.newPage();
    await page.goto(`${base}/`);
    await page.waitForSelector("body[data-ready='true']", { timeout: 20_000 });
    await page.selectOption("#app", writer.name);
    await page.fill("#entity", String(dpKeyid));
    await page.focus("#open");
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${FORM}[data-state='ready']`);
    // Tab into the form until the name field has focus.
    const name = field("name").slice(1);
    for (let presses = 0; presses < 12 && (await page.evaluate(() => document.activeElement?.id)) !== name; presses++) await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.id), name, "Tab reaches the name field");
    await page.keyboard.press("Control+A");
    await page.keyboard.type("Key Board Jr");
    await page.keyboard.press("Tab"); // to E-mail
    await page.keyboard.type(`keys.${dpKeyid}@example.com`);
    await page.waitForSelector(`${FORM}-save[aria-disabled='false']`);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${FORM}-answer[data-code='200.1']`, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => document.activeElement?.id), `${FORM.slice(1)}-step-email-code`);
    await page.keyboard.type(await sentCode(base, dpKeyid, "email"));
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${FORM}-steps`, { state: "hidden" });
    assert.equal(await page.evaluate(() => document.activeElement?.id), `${FORM.slice(1)}-steps-status`, "focus lands on the confirmation");
    const stored = await getJson(base, `/userentity/dp-keyid/${dpKeyid}/data/profile`, writer.key);
    assert.equal(stored.entity.name, "Key Board Jr");
    assert.equal(stored.entity.email, `keys.${dpKeyid}@example.com`);
    await page.close();
  });
});
