// Launches Debian's Chromium through playwright-core, the way every browser
// test and benchmark here does: no browser download, nothing reaching
// outside hosts (this network refuses them), a fresh profile each time.
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.PACTUM_CHROMIUM ?? "/usr/bin/chromium";
export const BASE_URL = process.env.PACTUM_BASE_URL ?? "";
export const SCREENSHOTS = process.env.PACTUM_SCREENSHOTS ?? new URL("../../target/screenshots/", import.meta.url).pathname;

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * A Chromium with a throw-away profile (playwright passes it as
 * `--user-data-dir`); `close()` removes the profile too.
 */
export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "pactum-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    // playwright-core's own headless switch stays off: the args say it.
    headless: false,
    args: ARGS,
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as `target/screenshots/<name>.png`. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** An environment variable the Rust driver (tests/tests/browser.rs) sets; missing is a loud failure, not a skip. */
export function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these tests through \`cargo test -p pactum-tests --test browser\`, which starts \`pactum serve\` and sets it`);
  }
  return value;
}

/** GET a JSON route of the server under test. */
export async function getJson(base, path, key) {
  const response = await fetch(base + path, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** axe-core's browser build (www/package.json pins it). */
export const AXE = new URL("../node_modules/axe-core/axe.min.js", import.meta.url).pathname;

/**
 * Runs axe-core in the page (injected from node_modules, once per page) on
 * the whole document and answers its violations, each as
 * `rule (impact): help — target, target` lines, so a failure names them.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(" ")),
    }));
  });
  return violations.map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.targets.join(", ")}`);
}

/** Asserts that axe-core finds no violation in the page as it is now; `state` names it in the failure. */
export async function assertAccessible(page, state) {
  const violations = await axeViolations(page);
  if (violations.length > 0) {
    throw new Error(`axe-core: ${violations.length} violation(s) in the state "${state}":\n  ${violations.join("\n  ")}`);
  }
}

/** The demo page's `<pactum-form>` and the id of a field's input in it (`/address/city` -> `address-city`). */
export const FORM = "#account-form";
export function field(pointer) {
  return `${FORM}-field-${pointer.replace(/^\//, "").replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

/**
 * Opens the demo page in a new tab and an entity in its account form:
 * the app, the contract and the language chosen in the setup form; waits
 * until the element has shown the entity (or its not-found message).
 */
export async function openAccount(chromium, base, { app, entity, contract, language } = {}) {
  const page = await chromium.context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(`${base}/`);
  await page.waitForSelector("body[data-ready='true']", { timeout: 20_000 });
  if (app) await page.selectOption("#app", app);
  if (contract) await page.selectOption("#contract", contract);
  if (language) await page.selectOption("#language", language);
  await page.fill("#entity", String(entity));
  await page.click("#open");
  await page.waitForSelector(`${FORM}:is([data-state='ready'], [data-state='not-found'], [data-state='error'])`, { timeout: 20_000 });
  return { page, problems };
}

/** The first number with a valid Luhn check digit after `start` (a 15-digit string): a card number no entity holds yet. */
export function luhnNumber(start) {
  const digits = String(start).padStart(15, "0").slice(-15);
  const sum = [...digits].reverse().reduce((total, digit, index) => {
    let value = Number(digit);
    if (index % 2 === 0) value = value * 2 > 9 ? value * 2 - 9 : value * 2;
    return total + value;
  }, 0);
  return `${digits}${(10 - (sum % 10)) % 10}`;
}

/**
 * A new active entity no test has touched (no code sent to it yet, so no
 * cooldown): created through the loyalty contract, which has no verified
 * field; through "profile" it has a name and nothing else.
 */
export async function freshEntity(base, key, name = "Fresh Entity") {
  const cardNumber = luhnNumber(`4${Date.now()}${Math.floor(Math.random() * 10)}`);
  const response = await fetch(`${base}/userentity/data/loyalty`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name, cardNumber }),
  });
  const body = await response.json();
  if (response.status !== 201) throw new Error(`creating an entity: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body.entity.dpKeyid;
}

/** The dev `log` sender's newest code for an entity's field (`GET /demo/codes`), waiting for the outbox to send it. */
export async function sentCode(base, entity, fieldName, { after = "" } = {}) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const codes = await getJson(base, "/demo/codes");
    const found = codes.find((code) => code.entity === entity && code.field === fieldName && code.sentAt >= after);
    if (found) return found.code;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no code was sent for entity ${entity}'s ${fieldName}`);
}
