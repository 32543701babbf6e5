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
