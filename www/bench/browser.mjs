// Measures the contract module in Chromium (Debian's, through playwright-core):
// module load (fetch, compile, init), per-keystroke evaluate through the SDK
// (in its Web Worker, and inline on the page's thread), and the same schema
// and documents through ajv (compiled), against a running `pactum serve`.
//
// usage: cargo xtask serve &   (then, in www/)
//        npm run build && PACTUM_BASE_URL=http://127.0.0.1:8080 node bench/browser.mjs
import { readFileSync } from "node:fs";
import { build } from "esbuild";
import { launch } from "../test/browser.mjs";
import { CURRENT, keystrokes, merged, stats, table } from "./workload.mjs";

const ROUNDS = 20;
const LOADS = 5;

function server() {
  const base = process.env.PACTUM_BASE_URL;
  if (!base) throw new Error("set PACTUM_BASE_URL to a running `pactum serve` (e.g. http://127.0.0.1:8080)");
  return { base, stop() {} };
}

// ajv for the page: bundled from the npm packages, as an app would ship it.
const ajvBundle = (
  await build({
    stdin: { contents: 'import Ajv2020 from "ajv/dist/2020.js"; import addFormats from "ajv-formats"; window.bench = { Ajv2020, addFormats };', resolveDir: new URL(".", import.meta.url).pathname },
    bundle: true,
    format: "iife",
    write: false,
  })
).outputFiles[0].text;

const { base, stop } = server();
const chromium = await launch();
try {
  const page = await chromium.context.newPage();
  await page.goto(`${base}/`);
  await page.addScriptTag({ content: ajvBundle });
  const schema = JSON.parse(readFileSync(new URL("../../host/demo/profile.json", import.meta.url), "utf8"));
  const result = await page.evaluate(
    async ({ schema, current, typed, documents, rounds, loads }) => {
      const { Pactum } = await import("/static/dist/sdk/index.js");
      const moduleUrl = "/contracts/profile/module.wasm";
      const load = [];
      for (let i = 0; i < loads; i++) {
        const start = performance.now();
        const pactum = await Pactum.load({ moduleUrl, contract: schema, reference: "profile", warmup: [{ operation: "validate", current: null, payload: { mobile: "+4520123456" } }] });
        load.push({ ...pactum.timings, total: performance.now() - start });
        pactum.close();
      }
      const perKeystroke = async (isolation) => {
        const pactum = await Pactum.load({ moduleUrl, contract: schema, reference: "profile", isolation, warmup: [{ operation: "validate", current: null, payload: { mobile: "+4520123456" } }] });
        // A page's timer is coarse (100 µs): time each round of typing, divide by its keystrokes.
        const samples = [];
        for (let round = 0; round < rounds; round++) {
          const start = performance.now();
          for (const payload of typed) await pactum.evaluate({ current, payload });
          samples.push((performance.now() - start) / typed.length);
        }
        pactum.close();
        return samples;
      };
      const worker = await perKeystroke("worker");
      const inline = await perKeystroke("inline");
      const { Ajv2020, addFormats } = window.bench;
      const compileStart = performance.now();
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      addFormats(ajv);
      const validate = ajv.compile(schema);
      const ajvCompile = performance.now() - compileStart;
      const ajvSamples = [];
      for (let round = 0; round < rounds; round++) {
        const start = performance.now();
        for (let i = 0; i < 100; i++) for (const document of documents) validate(document);
        ajvSamples.push((performance.now() - start) / (100 * documents.length));
      }
      return { load, worker, inline, ajvCompile, ajvSamples, userAgent: navigator.userAgent };
    },
    { schema, current: CURRENT, typed: keystrokes(), documents: keystrokes().map(merged), rounds: ROUNDS, loads: LOADS },
  );
  const first = result.load[0];
  const later = (key) => stats(result.load.slice(1).map((entry) => entry[key]));
  console.log(`Chromium: ${result.userAgent}`);
  table("module load (built-in module, profile contract)", [
    ["first load: fetch", first.fetch],
    ["first load: SHA-256", first.hash],
    ["first load: compile", first.compile],
    ["first load: init (worker, instantiate, load)", first.init],
    ["first load: warm-up (first mobile number)", first.warmup],
    ["first load: total", first.total],
    ["later loads: fetch (HTTP cache)", later("fetch")],
    ["later loads: SHA-256", later("hash")],
    ["later loads: compile", later("compile")],
    ["later loads: init", later("init")],
    ["later loads: total", later("total")],
  ]);
  table(`per-keystroke evaluate: mean of each round of ${keystrokes().length} keystrokes, ${ROUNDS} rounds`, [
    ["SDK, Web Worker (round trip)", stats(result.worker)],
    ["SDK, inline (page thread)", stats(result.inline)],
    ["ajv 2020, compiled: validate only", stats(result.ajvSamples)],
    ["ajv 2020: compile the schema", result.ajvCompile],
  ]);
} finally {
  await chromium.close();
  stop();
}
