// The demo page in Chromium, against the real server: the SDK's
// `<pactum-form>` with live pre-validation, 1003 with a pending change and
// its code (2004) through the verification step, the server's uniqueness
// answer, the plugin module, and the playground. Each step is saved as a
// screenshot in target/screenshots/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FORM, field, getJson, launch, openAccount, required, screenshot } from "./browser.mjs";

const base = required("PACTUM_BASE_URL");
let chromium;
let app;
let entities;

before(async () => {
  chromium = await launch();
  const apps = await getJson(base, "/demo/apps");
  app = apps.find((candidate) => candidate.defaultContract === "profile" && ["read", "update", "verify"].every((p) => candidate.permissions.includes(p)));
  assert.ok(app, `no demo app reads, updates and verifies through "profile": ${JSON.stringify(apps)}`);
  entities = await getJson(base, "/demo/entities");
  assert.ok(entities.length >= 2, `the demo needs two entities: ${JSON.stringify(entities)}`);
});

after(async () => {
  await chromium?.close();
});

/** Opens the page on an entity through a contract, ready to type. */
async function openEntity(dpKeyid, contract = "profile", appName = app.name) {
  const opened = await openAccount(chromium, base, { app: appName, contract, entity: dpKeyid });
  await opened.page.waitForFunction((form) => document.querySelector(`${form}-summary`)?.textContent !== "", FORM);
  return opened;
}

/** The answer's sub code, once one shows. */
async function answerCode(page) {
  await page.waitForSelector(`${FORM}-answer[data-code]`, { timeout: 10_000 });
  return page.getAttribute(`${FORM}-answer`, "data-code");
}

describe("the demo page", () => {
  test("an invalid mobile shows its field error before submit, a valid one is saved after its code", async () => {
    const dpKeyid = entities[0].dpKeyid;
    const { page, problems } = await openEntity(dpKeyid);
    await screenshot(page, "01-opened");

    const mobile = field("mobile");
    await page.fill(mobile, "");
    await page.locator(mobile).pressSequentially("28 34 5", { delay: 20 });
    await page.waitForSelector(`${mobile}[aria-invalid='true']`);
    const error = await page.textContent(`${mobile}-error`);
    assert.match(error, /mobile number is not in a valid format/);
    assert.equal(await page.getAttribute(`${mobile}-error .pf-message`, "data-code"), "400.3");
    assert.match(await page.getAttribute(mobile, "aria-describedby"), new RegExp(`${mobile.slice(1)}-error`));
    assert.equal(await page.getAttribute(`${FORM}-save`, "aria-disabled"), "true", "Save says it cannot save while the form is invalid");
    await screenshot(page, "02-invalid-mobile");

    await page.locator(mobile).pressSequentially("7 89", { delay: 20 });
    await page.waitForSelector(`${mobile}:not([aria-invalid])`);
    await page.waitForSelector(`${FORM}-save[aria-disabled='false']`);
    await page.keyboard.press("Enter"); // keyboard submit from the field
    assert.equal(await answerCode(page), "200.1");
    const code = `${FORM}-step-mobile-code`;
    await page.waitForSelector(code);
    assert.equal(await page.evaluate(() => document.activeElement?.id), code.slice(1), "the step's code field takes focus");
    await screenshot(page, "03-code-sent");

    await page.click("#show-codes");
    await page.waitForSelector(".dev-code-value[data-field='mobile']");
    const sent = (await page.textContent(".dev-code-value[data-field='mobile']")).trim();
    assert.match(sent, /^\d{4,10}$/);
    await page.fill(code, sent);
    await page.click(`${FORM}-step-mobile-verify`);
    await page.waitForSelector(code, { state: "detached" });
    await page.waitForFunction(() => document.querySelector("#stored [data-field='mobile']")?.textContent === "+4528345789");
    assert.equal(await page.inputValue(mobile), "+4528345789");
    assert.match(await page.textContent(`${FORM}-steps-status`), /Mobile is confirmed/);
    await screenshot(page, "04-verified");

    // Another change at once: the cooldown answers 200.3 and the page counts down.
    await page.fill(mobile, "28 99 88 77");
    await page.waitForSelector(`${FORM}-save[aria-disabled='false']`);
    await page.click(`${FORM}-save`);
    const again = await answerCode(page);
    if (again === "200.3" || again === "200.2") {
      await page.waitForSelector(`${FORM}-countdown:not([hidden])`);
      assert.match(await page.textContent(`${FORM}-countdown`), /A new code can be requested in \d+:\d\d/);
      await screenshot(page, "05-countdown");
    } else {
      assert.equal(again, "200.1", `a second change right away is 200.1 or a cooldown, not ${again}`);
    }
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("a uniqueness conflict shows the server's 400.2 under the e-mail field", async () => {
    const [first, second] = entities;
    const other = await getJson(base, `/userentity/dp-keyid/${second.dpKeyid}/data/profile`, app.key);
    const taken = other.entity?.email;
    assert.ok(taken, `entity ${second.dpKeyid} has no e-mail to collide with`);
    const { page, problems } = await openEntity(first.dpKeyid);
    const email = field("email");
    await page.fill(email, taken.toUpperCase());
    await page.waitForSelector(`${FORM}-save[aria-disabled='false']`); // valid for the module: only the database knows
    await page.keyboard.press("Enter");
    assert.equal(await answerCode(page), "400.2");
    await page.waitForSelector(`${email}[aria-invalid='true']`);
    assert.match(await page.textContent(`${email}-error`), /e-mail address is not unique/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), email.slice(1), "focus goes to the refused field");
    assert.equal(await page.getAttribute(`${FORM}-save`, "aria-disabled"), "true");
    await screenshot(page, "06-email-taken");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("the loyalty plugin's contract validates in the page with the plugin's module", async () => {
    const contracts = await getJson(base, "/contracts");
    const loyalty = contracts.find((contract) => contract.id === "loyalty");
    assert.ok(loyalty, `the demo serves no "loyalty" contract: ${JSON.stringify(contracts)}`);
    assert.equal(loyalty.module, "plugin");
    const apps = await getJson(base, "/demo/apps");
    const user = apps.find((candidate) => candidate.defaultContract === "loyalty" || candidate.contracts.includes("loyalty"));
    assert.ok(user, "no demo app may use the loyalty contract");
    const { page, problems } = await openEntity(entities[0].dpKeyid, "loyalty", user.name);
    assert.match(await page.textContent("#module-status"), new RegExp(`Module ${loyalty.moduleSha256.slice(0, 12)}`));
    await page.fill(field("name"), "Ann");
    // 12 digits match the schema's pattern; only the plugin's code knows the Luhn check fails.
    const card = field("cardNumber");
    await page.fill(card, "079927398710");
    await page.waitForSelector(`${card}[aria-invalid='true']`);
    assert.match(await page.textContent(`${card}-error`), /Luhn/);
    assert.equal(await page.getAttribute(`${FORM}-save`, "aria-disabled"), "true");
    await page.fill(card, "079927398713");
    await page.waitForSelector(`${card}:not([aria-invalid])`);
    const birth = field("birthDate");
    await page.fill(birth, "2020-01-01");
    await page.waitForSelector(`${birth}[aria-invalid='true']`);
    assert.match(await page.textContent(`${birth}-error`), /at least 15/);
    await screenshot(page, "07-plugin");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("the playground shows the decision for a pasted contract, data and payload", async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${base}/#playground`);
    await page.waitForSelector("body[data-ready='true']", { timeout: 20_000 });
    await page.fill("#pg-contract", JSON.stringify({ type: "object", "x-pactum-region": "DK", properties: { mobile: { type: "string", "x-pactum-role": "mobile" }, name: { type: "string", maxLength: 3 } } }));
    await page.fill("#pg-current", "{}");
    await page.fill("#pg-payload", JSON.stringify({ mobile: "12", name: "Annabel" }));
    await page.click("#playground-form button[type='submit']");
    await page.waitForSelector("#pg-result table");
    assert.equal(await page.getAttribute("#pg-result .code", "data-code"), "400");
    const rows = await page.locator("#pg-result tbody tr").allTextContents();
    assert.equal(rows.length, 2);
    assert.match(rows[0], /\/mobile.*400\.3.*mobile number is not in a valid format/);
    assert.match(rows[1], /\/name.*400/);
    await screenshot(page, "08-playground");
    await page.close();
  });
});
