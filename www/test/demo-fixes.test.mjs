// Demo-page defects, in Chromium against the real server: the code badge
// of an error answer is readable (WCAG AA), a read-only app gets a
// read-only form, and an unknown entity shows "not found" and no form.
// Each step is saved as a screenshot in target/screenshots/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { getJson, launch, required, screenshot } from "./browser.mjs";

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

/** Opens the page and asks for an entity; waits until the account view shows. */
async function open(appName, dpKeyid, contract) {
  const page = await chromium.context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(`${base}/`);
  await page.waitForSelector("body[data-ready='true']", { timeout: 20_000 });
  await page.selectOption("#app", appName);
  if (contract) await page.selectOption("#contract", contract);
  await page.fill("#entity", String(dpKeyid));
  await page.click("#open");
  await page.waitForSelector("#account:not([hidden])");
  return { page, problems };
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
    const badge = page.locator(".code.problem").first();
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
    await page.fill("#field-email", taken.toUpperCase());
    await page.waitForSelector("#save:not([disabled])");
    await page.click("#save");
    const badge = page.locator("#answer .code.problem");
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
    await page.waitForSelector("#fields input, #fields textarea, #fields select");
    const editable = await page.$$eval("#fields input, #fields textarea, #fields select", (controls) =>
      controls.filter((control) => !control.matches(":disabled") && !control.readOnly).map((control) => control.id || control.name),
    );
    assert.deepEqual(editable, [], "every control of a read-only app's form is read-only or disabled");
    const save = page.locator("#save");
    const saveUsable = (await save.isVisible()) && (await save.isEnabled());
    assert.equal(saveUsable, false, "Save is disabled or hidden for an app that may not update");
    const note = page.locator("#readonly-note");
    await note.waitFor({ state: "visible", timeout: 5_000 });
    assert.match(await note.textContent(), /update/i);
    assert.match(await note.textContent(), new RegExp(reader.name));
    await screenshot(page, "11-read-only-app");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("an unknown entity shows only a not-found message, no form", async () => {
    const missing = unknownId();
    const { page, problems } = await open(writer().name, missing);
    const message = page.locator("#not-found");
    await message.waitFor({ state: "visible", timeout: 10_000 });
    const text = await message.textContent();
    assert.match(text, /not found/i);
    assert.match(text, new RegExp(String(missing)));
    assert.match(await message.getAttribute("data-code"), /^404\.[12]$/);
    const visibleInputs = await page.locator("#account input, #account textarea, #account select").evaluateAll((controls) =>
      controls.filter((control) => control.checkVisibility()).map((control) => control.id || control.name),
    );
    assert.deepEqual(visibleInputs, [], "no form inputs for an entity that does not exist");
    assert.equal(await page.locator("#fields .field").count(), 0, "no form fields are built");
    assert.equal(await page.locator("#save").isVisible(), false, "no Save button");
    assert.equal(await page.locator("#fields .field-error .message").count(), 0, "no 'required' errors");
    await screenshot(page, "12-entity-not-found");
    assert.deepEqual(problems, []);
    await page.close();
  });
});
