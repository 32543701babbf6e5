// Measures the contract module in node: load (compile + init), contract
// compile, the first mobile number (libphonenumber's metadata), and a warm
// evaluate, through the wasm-bindgen glue; then the browser SDK's plain-ABI
// door (inline: node has no Web Worker) per keystroke, and ajv (compiled)
// on the same schema and documents, as www/bench/browser.mjs does in Chromium.
// The two doors run in separate processes (V8 reuses a module's compiled
// code within one), so each pays its own first compile and first mobile.
// usage: npm run build && node www/bench/module-node.mjs [--abi] [module-dir]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const abiDoor = args.includes("--abi");
const dir = args.find((arg) => !arg.startsWith("--")) ?? new URL("../../target/wasm/", import.meta.url).pathname;
const time = (label, run, times = 1) => {
  const start = performance.now();
  for (let i = 0; i < times; i++) run();
  const ms = (performance.now() - start) / times;
  console.log(`${label.padEnd(36)} ${ms < 1 ? (ms * 1000).toFixed(1) + " µs" : ms.toFixed(1) + " ms"}`);
};

const bytes = readFileSync(join(dir, "pactum_wasm_bg.wasm"));
if (!abiDoor) {
  const glue = await import(pathToFileURL(join(dir, "pactum_wasm.js")).href);
  time("load (compile + init)", () => glue.initSync({ module: bytes }));
  const schema = {
    type: "object",
    "x-pactum-region": "DK",
    properties: {
      name: { type: "string", maxLength: 80 },
      mobile: { type: "string", "x-pactum-role": "mobile", "x-pactum-verify": "sms" },
    },
  };
  let contract;
  time("first contract compile", () => (contract = new glue.Contract(schema)));
  time("contract compile (warm)", () => new glue.Contract(schema).free(), 20);
  time("first evaluate, no mobile", () => contract.evaluate({}, { name: "Ann" }));
  time("first evaluate with a mobile", () => contract.evaluate({}, { mobile: "20 12 34 56" }));
  time("evaluate with a mobile (warm)", () => contract.evaluate({}, { mobile: "20 12 34 56" }), 1000);
  time("evaluate, name only (warm)", () => contract.evaluate({}, { name: "Ann" }), 1000);
  // The cheapest call the module answers about a keystroke: one field's rules
  // (no merge, no whole-document check), values through wasm-bindgen.
  time("checkField, name (warm)", () => contract.checkField({}, "/name", "Ann"), 1000);
  process.exit(0);
}

// The SDK, plain ABI, the same workload as bench/browser.mjs.
const { Pactum } = await import(new URL("../dist/sdk/index.js", import.meta.url).href);
const { default: Ajv2020 } = await import("ajv/dist/2020.js");
const { default: addFormats } = await import("ajv-formats");
const { CURRENT, keystrokes, merged, stats, table } = await import("./workload.mjs");
const profile = JSON.parse(readFileSync(new URL("../../host/demo/profile.json", import.meta.url), "utf8"));
const warmup = [{ operation: "validate", current: null, payload: { mobile: "+4520123456" } }];
const loadStart = performance.now();
const sdk = await Pactum.load({ bytes, contract: profile, reference: "profile", isolation: "inline", warmup });
const loadTotal = performance.now() - loadStart;
const typed = keystrokes();
const sdkSamples = [];
for (let round = 0; round < 20; round++) {
  for (const payload of typed) {
    const start = performance.now();
    await sdk.evaluate({ current: CURRENT, payload });
    sdkSamples.push(performance.now() - start);
  }
}
// The SDK's own JSON text in and out of one keystroke's call, without the
// module: what any ABI call pays before the module does anything.
// One encoder and decoder, as the SDK keeps them (sdk/pactum.ts).
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const outcomeText = encoder.encode(JSON.stringify(await sdk.evaluate({ current: CURRENT, payload: typed[0] })));
const textSamples = [];
for (let round = 0; round < 20; round++) {
  for (const payload of typed) {
    const start = performance.now();
    encoder.encode(JSON.stringify({ operation: "update", contractRef: "profile", current: CURRENT, payload }));
    JSON.parse(decoder.decode(outcomeText));
    textSamples.push(performance.now() - start);
  }
}
const ajvStart = performance.now();
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(profile);
const ajvCompile = performance.now() - ajvStart;
const documents = typed.map(merged);
const ajvSamples = [];
for (let round = 0; round < 20; round++) {
  for (const document of documents) {
    const start = performance.now();
    validate(document);
    ajvSamples.push(performance.now() - start);
  }
}
table("SDK (plain ABI, inline) in node", [
  ["load: hash", sdk.timings.hash],
  ["load: compile", sdk.timings.compile],
  ["load: init (instantiate, load contract)", sdk.timings.init],
  ["load: warm-up (first mobile number)", sdk.timings.warmup],
  ["load: total", loadTotal],
]);
table(`per-keystroke evaluate (${typed.length} keystrokes x 20)`, [
  ["SDK evaluate (plain ABI, JSON in and out)", stats(sdkSamples)],
  ["its JSON text in and out alone (no module)", stats(textSamples)],
  ["ajv 2020, compiled: validate only", stats(ajvSamples)],
  ["ajv 2020: compile the schema", ajvCompile],
]);
