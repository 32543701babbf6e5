// The demo page in Chromium, against the real server: live pre-validation,
// 1003 with a pending change and its code (2004), the server's uniqueness
// answer, the plugin module, and the playground. Each step is saved as a
// screenshot in target/screenshots/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { getJson, launch, required, screenshot } from "./browser.mjs";

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
  const page = await chromium.context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(`${base}/`);
  await page.waitForSelector("body[data-ready='true']", { timeout: 20_000 });
  await page.selectOption("#app", appName);
  await page.selectOption("#contract", contract);
  await page.fill("#entity", String(dpKeyid));
  await page.click("#open");
  await page.waitForSelector("#account:not([hidden])");
  await page.waitForFunction(() => document.querySelector("#form-summary")?.textContent !== "");
  return { page, problems };
}

/** The answer's sub code, once one shows. */
async function answerCode(page) {
  await page.waitForSelector("#answer[data-code]", { timeout: 10_000 });
  return page.getAttribute("#answer", "data-code");
}

describe("the demo page", () => {
  test("an invalid mobile shows its field error before submit, a valid one is saved after its code", async () => {
    const dpKeyid = entities[0].dpKeyid;
    const { page, problems } = await openEntity(dpKeyid);
    await screenshot(page, "01-opened");

    await page.fill("#field-mobile", "");
    await page.locator("#field-mobile").pressSequentially("28 34 5", { delay: 20 });
    await page.waitForSelector("#field-mobile[aria-invalid='true']");
    const error = await page.textContent("#field-mobile-error");
    assert.match(error, /mobile number is not in a valid format/);
    assert.equal(await page.getAttribute("#field-mobile-error .message", "data-code"), "400.3");
    assert.match(await page.getAttribute("#field-mobile", "aria-describedby"), /field-mobile-error/);
    assert.equal(await page.isDisabled("#save"), true, "save must be disabled while the form is invalid");
    await screenshot(page, "02-invalid-mobile");

    await page.locator("#field-mobile").pressSequentially("7 89", { delay: 20 });
    await page.waitForSelector("#field-mobile:not([aria-invalid])");
    await page.waitForSelector("#save:not([disabled])");
    await page.keyboard.press("Enter"); // keyboard submit from the field
    assert.equal(await answerCode(page), "200.1");
    await page.waitForSelector("#verify:not([hidden])");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "code", "the code field takes focus");
    await screenshot(page, "03-code-sent");

    await page.click("#show-code");
    await page.waitForSelector(".dev-code-value");
    const code = (await page.textContent(".dev-code-value")).trim();
    assert.match(code, /^\d{4,10}$/);
    await page.fill("#code", code);
    await page.click("#verify-button");
    await page.waitForSelector("#verify[hidden]", { state: "attached" });
    await page.waitForFunction(() => document.querySelector("[data-field='mobile']")?.textContent === "+4528345789");
    assert.equal(await page.inputValue("#field-mobile"), "+4528345789");
    await screenshot(page, "04-verified");

    // Another change at once: the cooldown answers 200.3 and the page counts down.
    await page.fill("#field-mobile", "28 99 88 77");
    await page.waitForSelector("#save:not([disabled])");
    await page.click("#save");
    const again = await answerCode(page);
    if (again === "200.3" || again === "200.2") {
      await page.waitForSelector("#countdown:not([hidden])");
      assert.match(await page.textContent("#countdown"), /A new code can be requested in \d+:\d\d/);
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
    await page.fill("#field-email", taken.toUpperCase());
    await page.waitForSelector("#save:not([disabled])"); // valid for the module: only the database knows
    await page.click("#save");
    assert.equal(await answerCode(page), "400.2");
    await page.waitForSelector("#field-email[aria-invalid='true']");
    assert.match(await page.textContent("#field-email-error"), /e-mail address is not unique/);
    assert.equal(await page.isDisabled("#save"), true);
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
    await page.fill("#field-name", "Ann");
    // 12 digits match the schema's pattern; only the plugin's code knows the Luhn check fails.
    await page.fill("#field-cardNumber", "079927398710");
    await page.waitForSelector("#field-cardNumber[aria-invalid='true']");
    assert.match(await page.textContent("#field-cardNumber-error"), /Luhn/);
    assert.equal(await page.isDisabled("#save"), true);
    await page.fill("#field-cardNumber", "079927398713");
    await page.waitForSelector("#field-cardNumber:not([aria-invalid])");
    await page.fill("#field-birthDate", "2020-01-01");
    await page.waitForSelector("#field-birthDate[aria-invalid='true']");
    assert.match(await page.textContent("#field-birthDate-error"), /at least 15/);
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
