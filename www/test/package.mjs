// The `@pactum/sdk` package as a user gets it: `npm pack` of
// www/sdk-package/ into a temporary folder, installed offline into a scratch
// app outside the repository, and the package README's examples run as
// written: the `js node` block with node against a running Pactum server,
// the `html browser` blocks in Chromium as pages on another origin (served
// by a small static server here) that load the module cross-origin: the
// live check of one field, and the `<pactum-form>` element, which must
// show the contract's fields in order, pre-validate, and have no
// axe-core violations.
//
// usage: PACTUM_BASE_URL=http://127.0.0.1:8080 node test/package.mjs [--no-browser]
//   PACTUM_PAGE_PORT  the static server's port (default 0: any). The page's
//                     origin, http://127.0.0.1:<port>, must be in the server's
//                     `server.cors_origins` (or it lists "*"); checked first.
//   PACTUM_API_KEY    the key the form page gets from `/api-key` (default: the
//                     first app of the demo setup's /demo/apps that may update).
// Not named *.test.mjs: tests/tests/browser.rs runs those against the demo
// setup, which has no CORS.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const www = fileURLToPath(new URL("..", import.meta.url));
const packageDir = join(www, "sdk-package");
const repo = resolve(www, "..");
const base = process.env.PACTUM_BASE_URL;
const browser = !process.argv.includes("--no-browser");
let failures = 0;

function ok(what) {
  console.log(`ok - ${what}`);
}
function fail(what, detail = "") {
  failures += 1;
  console.log(`not ok - ${what}${detail ? `\n  ${String(detail).replaceAll("\n", "\n  ")}` : ""}`);
}
function check(condition, what, detail) {
  if (condition) ok(what);
  else fail(what, detail);
  return condition;
}
function run(command, args, options) {
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options });
}

if (!base) {
  console.error("PACTUM_BASE_URL is not set: start `pactum serve` and name it, e.g. PACTUM_BASE_URL=http://127.0.0.1:8080");
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), "pactum-sdk-app-"));
const packs = mkdtempSync(join(tmpdir(), "pactum-sdk-pack-"));
try {
  check(!scratch.startsWith(repo + sep) && !packs.startsWith(repo + sep), `scratch folders outside the repository (${scratch})`);

  // 1. npm pack (its prepack compiles ../sdk/*.ts with tsc).
  // Lifecycle banners may come before the JSON on stdout: it starts at the first line that opens an array.
  const packOutput = run("npm", ["pack", "--json", "--pack-destination", packs], { cwd: packageDir });
  const packed = JSON.parse(packOutput.slice(packOutput.search(/^\[/m)))[0];
  const tarball = join(packs, packed.filename);
  check(existsSync(tarball), `npm pack wrote ${packed.filename} (${packed.entryCount} files, ${packed.size} bytes)`);
  const files = packed.files.map((file) => file.path).sort();
  const allowed = (path) => /^dist\/(form\/)?[a-z]+\.(js|d\.ts)$/.test(path) || ["package.json", "README.md", "LICENSE"].includes(path);
  check(files.every(allowed), "the tarball holds only dist/{,form/}*.js, *.d.ts, package.json, README.md (and LICENSE)", files.filter((path) => !allowed(path)).join(", "));
  const needed = ["dist/index.js", "dist/index.d.ts", "dist/worker.js", "README.md", "package.json"];
  check(needed.every((path) => files.includes(path)), `the tarball holds ${needed.join(", ")}`, `missing: ${needed.filter((path) => !files.includes(path))}`);
  check(!files.some((path) => /(^|\/)(test|bench|demo|types)\//.test(path) || /\.test\.|\.map$|(?<!\.d)\.ts$/.test(path)), "no tests, benches, demo, sources or source maps");
  const sources = ["", "form/"].flatMap((folder) =>
    readdirSync(join(www, "sdk", folder)).filter((name) => name.endsWith(".ts")).map((name) => `dist/${folder}${name.replace(/\.ts$/, ".js")}`),
  );
  check(sources.every((path) => files.includes(path)), `every sdk/*.ts is compiled into the tarball (${sources.length} modules)`);

  // 2. A scratch app installs the tarball offline (the package has no dependencies).
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "pactum-sdk-scratch", private: true, type: "module" }, null, 2));
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], { cwd: scratch });
  const installed = JSON.parse(readFileSync(join(scratch, "node_modules/@pactum/sdk/package.json"), "utf8"));
  check(installed.name === "@pactum/sdk" && installed.version === packed.version, `npm install --offline put @pactum/sdk@${installed.version} into the scratch app`);
  check(existsSync(join(scratch, "node_modules/@pactum/sdk/dist/index.js")), "the installed package has its compiled code");
  const resolved = run("node", ["--input-type=module", "-e", 'const m = await import("@pactum/sdk"); console.log(Object.keys(m).sort().join(","))'], { cwd: scratch }).trim();
  check(["Pactum", "LiveContract", "Catalogue", "ModuleError", "PactumForm", "definePactumForm"].every((name) => resolved.split(",").includes(name)), `import("@pactum/sdk") in node resolves through \`exports\`: ${resolved}`);

  // The types, as a TypeScript user resolves them (`exports` -> `types`).
  writeFileSync(
    join(scratch, "check.ts"),
    [
      'import { Catalogue, LiveContract, Pactum, PactumForm, definePactumForm, type Outcome } from "@pactum/sdk";',
      'const pactum: Pactum = await Pactum.load({ baseUrl: "http://localhost:8080", moduleUrl: "/modules/x.wasm" });',
      'const outcome: Outcome = await pactum.evaluate({ operation: "validate", current: null, payload: {} });',
      'const live: LiveContract = await LiveContract.open({ id: "profile", baseUrl: new URL("http://localhost:8080") });',
      'const catalogue: Catalogue = await Catalogue.fetch({ baseUrl: "http://localhost:8080" });',
      'const form = document.createElement("pactum-form") as PactumForm;',
      'form.apiKey = "pk_x";',
      'form.addEventListener("pactum-saved", (event) => console.log(event.detail.answer.code, event.detail.pending.length));',
      'const defined: typeof PactumForm = definePactumForm();',
      "export { outcome, live, catalogue, defined };",
      "",
    ].join("\n"),
  );
  try {
    run(process.execPath, [join(www, "node_modules/typescript/bin/tsc"), "--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "--lib", "es2022,dom", "check.ts"], { cwd: scratch });
    ok("a TypeScript app (moduleResolution nodenext) type-checks against the installed .d.ts");
  } catch (error) {
    fail("a TypeScript app type-checks against the installed .d.ts", error.stdout || error.message);
  }

  // 3. The README's code blocks.
  const readme = readFileSync(join(scratch, "node_modules/@pactum/sdk/README.md"), "utf8");
  const blocks = [...readme.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map(([, info, code]) => ({ info: info.trim().split(/\s+/), code }));
  const scripts = blocks.filter((block) => block.info[0] === "js");
  const node = blocks.filter((block) => block.info[0] === "js" && block.info[1] === "node");
  const page = blocks.filter((block) => block.info[0] === "html" && block.info[1] === "browser" && block.info.length === 2);
  const formPage = blocks.filter((block) => block.info[0] === "html" && block.info[1] === "browser" && block.info[2] === "form");
  check(node.length === 1 && page.length === 1 && formPage.length === 1, `the README has one \`js node\`, one \`html browser\` and one \`html browser form\` example (${blocks.length} code blocks)`);
  scripts.forEach((block, index) => {
    const file = join(scratch, `readme-${index}.mjs`);
    writeFileSync(file, block.code);
    try {
      run("node", ["--check", file], { cwd: scratch });
      ok(`README block ${index + 1} of the js ones is valid JavaScript (${block.info.join(" ")})`);
    } catch (error) {
      fail(`README js block ${index + 1} is valid JavaScript`, error.stderr);
    }
  });

  if (node[0]) {
    // Each `console.log(...); // expected` comment is a line the run must print (`<hash>`: 12 hex digits).
    const expected = [...node[0].code.matchAll(/console\.log\(.*\/\/ (.+)$/gm)].map(([, line]) => line.trim());
    const file = join(scratch, "readme-node.mjs");
    writeFileSync(file, node[0].code);
    try {
      const output = run("node", [file], { cwd: scratch, env: { ...process.env, PACTUM_BASE_URL: base } });
      ok(`the README's node example runs against ${base}`);
      const lines = output.trim().split("\n");
      console.log(lines.map((line) => `  | ${line}`).join("\n"));
      for (const want of expected) {
        const pattern = new RegExp(`^${want.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace("<hash>", "[0-9a-f]{12}")}$`);
        check(lines.some((line) => pattern.test(line)), `it prints what the README says: ${want}`, lines.join("\n"));
      }
      check(expected.length >= 3, `the README states ${expected.length} outputs`);
    } catch (error) {
      fail(`the README's node example runs against ${base}`, `${error.stdout ?? ""}${error.stderr ?? error.message}`);
    }
    // Without baseUrl, a relative URL fails naming the option, not "Failed to parse URL".
    try {
      run("node", ["--input-type=module", "-e", 'import { Catalogue } from "@pactum/sdk"; await Catalogue.fetch();'], { cwd: scratch });
      fail("Catalogue.fetch() in node without baseUrl fails");
    } catch (error) {
      check(/pass `baseUrl`/.test(error.stderr), "in node, a relative URL without baseUrl fails naming `baseUrl`", error.stderr);
    }
  }

  if (browser && page[0] && formPage[0]) await browserPart(page[0].code, formPage[0].code);
  else if (!browser) console.log("# --no-browser: the Chromium part was not run");
} catch (error) {
  fail("the package test ran to the end", error.stack ?? error);
} finally {
  if (failures === 0) {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(packs, { recursive: true, force: true });
  } else {
    console.log(`# kept for a look: ${scratch} ${packs}`);
  }
}
console.log(failures === 0 ? "# all passed" : `# ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);

async function browserPart(html, formHtml) {
  const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".ts": "text/plain" };
  // The README's pages, with their placeholder server replaced by the one under test.
  writeFileSync(join(scratch, "index.html"), html.replaceAll("http://localhost:8080", base));
  writeFileSync(join(scratch, "form.html"), formHtml.replaceAll("http://localhost:8080", base));
  const apiKey = process.env.PACTUM_API_KEY ?? (await demoKey());
  const server = createServer((request, response) => {
    if (new URL(request.url, "http://x").pathname === "/api-key") {
      // What the page's own backend would hand it: the app's key.
      response.writeHead(apiKey ? 200 : 404, { "Content-Type": "text/plain" }).end(apiKey ?? "");
      return;
    }
    const path = join(scratch, decodeURIComponent(new URL(request.url, "http://x").pathname));
    const file = path.endsWith(sep) || path === scratch ? join(path, "index.html") : path;
    if (!file.startsWith(scratch) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise((done) => server.listen(Number(process.env.PACTUM_PAGE_PORT ?? 0), "127.0.0.1", done));
  const origin = `http://127.0.0.1:${server.address().port}`;
  let chromium;
  try {
    check(new URL(origin).origin !== new URL(base).origin, `the page is on another origin (${origin}) than the server (${base})`);
    const preflight = await fetch(new URL("/catalogue", base), { headers: { Origin: origin } });
    const allowed = preflight.headers.get("access-control-allow-origin");
    if (!check(allowed === origin || allowed === "*", `the server allows the page's origin (access-control-allow-origin: ${allowed})`,
      `start the server with server.cors_origins = ["${origin}"] (or set PACTUM_PAGE_PORT to a port it lists)`)) return;
    const contract = await (await fetch(new URL("/contracts/profile", base))).json();

    const { launch } = await import("./browser.mjs");
    chromium = await launch();
    const tab = await chromium.context.newPage();
    const problems = [];
    const workers = [];
    const wasm = [];
    tab.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    // The browser's own favicon request is no failure of the page's.
    tab.on("console", (message) => message.type() === "error" && !/favicon\.ico/.test(message.location().url ?? "") && problems.push(`console: ${message.text()} (${message.location().url})`));
    tab.on("response", (response) => response.status() >= 400 && !response.url().endsWith("/favicon.ico") && problems.push(`HTTP ${response.status()} ${response.url()}`));
    tab.on("worker", (worker) => workers.push(worker.url()));
    tab.on("response", (response) => response.url().endsWith(".wasm") && wasm.push({ url: response.url(), status: response.status(), cors: response.headers()["access-control-allow-origin"] }));
    await tab.goto(`${origin}/index.html`);
    try {
      await tab.waitForSelector("#errors[data-module]", { timeout: 15_000 });
    } catch {
      fail("the README's page shows the field's errors", problems.join("\n") || "nothing was shown in 15 s");
      return;
    }
    const shown = await tab.textContent("#errors");
    check(shown === "mobile number is not in a valid format", `the page shows the catalogue's words for "20 12 34 5": ${shown}`);
    check((await tab.getAttribute("#errors", "data-module")) === contract.moduleSha256, "with the module the server names (moduleSha256)");
    check(wasm.some((entry) => entry.url.startsWith(`${base.replace(/\/$/, "")}/modules/`) && entry.status === 200 && entry.cors),
      "the module was fetched cross-origin from the server, with CORS", JSON.stringify(wasm));
    check(workers.some((url) => url === `${origin}/node_modules/@pactum/sdk/dist/worker.js`), "the module runs in the package's Web Worker, from the page's origin", workers.join(", "));
    await tab.fill("#mobile", "20 12 34 56");
    await tab.waitForFunction(() => document.querySelector("#errors")?.textContent === "ok", null, { timeout: 5_000 }).then(
      () => ok("typing a valid number clears the error (an evaluation per keystroke)"),
      async () => fail("typing a valid number clears the error", await tab.textContent("#errors")),
    );
    check(problems.length === 0, "no page errors", problems.join("\n"));
    await tab.close();
    if (check(Boolean(apiKey), "an API key for the form page (PACTUM_API_KEY, or the demo setup's)")) await formPart(chromium, origin, contract);
  } finally {
    await chromium?.close();
    server.close();
  }
}

/** The demo setup's key of an app that may update (the form page's `/api-key`), or `null` elsewhere. */
async function demoKey() {
  try {
    const response = await fetch(new URL("/demo/apps", base));
    if (!response.ok) return null;
    const apps = await response.json();
    return apps.find((app) => app.permissions.includes("update"))?.key ?? null;
  } catch {
    return null;
  }
}

/** The README's `<pactum-form>` page, from another origin: the fields in the contract's order, pre-validation, axe-core. */
async function formPart(chromium, origin, contract) {
  const { axeViolations } = await import("./browser.mjs");
  const tab = await chromium.context.newPage();
  const problems = [];
  tab.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  tab.on("console", (message) => message.type() === "error" && !/favicon\.ico/.test(message.location().url ?? "") && problems.push(`console: ${message.text()} (${message.location().url})`));
  tab.on("response", (response) => response.status() >= 400 && !response.url().endsWith("/favicon.ico") && problems.push(`HTTP ${response.status()} ${response.url()}`));
  await tab.goto(`${origin}/form.html`);
  try {
    await tab.waitForSelector("pactum-form[data-state='ready']", { timeout: 15_000 });
  } catch {
    fail("the README's form page shows the form", `${problems.join("\n") || "nothing was shown in 15 s"}\n${await tab.textContent("pactum-form")}`);
    return;
  }
  ok(`the README's <pactum-form> page shows the entity from ${origin}`);
  const labels = await tab.$$eval("pactum-form .pf-fields > :is(.pf-field, fieldset)", (blocks) =>
    blocks.map((block) => (block.matches("fieldset") ? block.querySelector("legend") : block.querySelector("label"))?.firstChild?.textContent?.trim()),
  );
  const titles = Object.values(contract.schema.properties).map((property) => property.title);
  check(JSON.stringify(labels) === JSON.stringify(titles), `the fields are in the contract's order: ${labels.join(", ")}`, `expected ${titles.join(", ")}`);
  const mobile = "pactum-form input[name='/mobile']";
  await tab.fill(mobile, "20 12 34 5");
  await tab.waitForSelector(`${mobile}[aria-invalid='true']`, { timeout: 5_000 }).then(
    async () => check((await tab.textContent("pactum-form [data-pointer='/mobile'] .pf-error")).includes("mobile number is not in a valid format"), "typing an invalid mobile shows its error in words"),
    () => fail("typing an invalid mobile shows its error"),
  );
  const violations = await axeViolations(tab);
  check(violations.length === 0, "axe-core finds 0 violations in the form page", violations.join("\n"));
  await tab.fill(mobile, "20 12 34 56");
  await tab.waitForSelector(`${mobile}:not([aria-invalid])`, { timeout: 5_000 }).then(
    () => ok("a valid number clears it"),
    () => fail("a valid number clears the error"),
  );
  const after = await axeViolations(tab);
  check(after.length === 0, "axe-core finds 0 violations with the changed, valid form", after.join("\n"));
  check(problems.length === 0, "no page errors on the form page", problems.join("\n"));
  await tab.close();
}
