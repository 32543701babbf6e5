// Measures the contract module in node: load (compile + init), contract
// compile, the first mobile number (libphonenumber's metadata), and a warm
// evaluate. usage: node www/bench/module-node.mjs [module-dir]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.argv[2] ?? new URL("../../target/wasm/", import.meta.url).pathname;
const time = (label, run, times = 1) => {
  const start = performance.now();
  for (let i = 0; i < times; i++) run();
  const ms = (performance.now() - start) / times;
  console.log(`${label.padEnd(36)} ${ms < 1 ? (ms * 1000).toFixed(1) + " µs" : ms.toFixed(1) + " ms"}`);
};

const glue = await import(pathToFileURL(join(dir, "pactum_wasm.js")).href);
const bytes = readFileSync(join(dir, "pactum_wasm_bg.wasm"));
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
