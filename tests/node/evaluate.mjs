// Evaluates calls in node through the wasm-bindgen glue, loading the same
// `_bg.wasm` bytes that wasmtime runs. Used by tests/tests/conformance.rs.
//
// usage: node evaluate.mjs <module-dir> <cases.json>
//   cases.json: [{"name": "...", "call": "<call JSON text>"}, ...]
// prints one JSON line per case: {"name": "...", "outcome": "<outcome JSON text>"}
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [moduleDir, casesPath] = process.argv.slice(2);
if (!moduleDir || !casesPath) {
  console.error("usage: node evaluate.mjs <module-dir> <cases.json>");
  process.exit(2);
}
const glue = await import(pathToFileURL(join(moduleDir, "pactum_wasm.js")).href);
glue.initSync({ module: readFileSync(join(moduleDir, "pactum_wasm_bg.wasm")) });

const cases = JSON.parse(readFileSync(casesPath, "utf8"));
const lines = [];
for (const { name, call } of cases) {
  lines.push(JSON.stringify({ name, outcome: glue.evaluateJson(call) }));
}
process.stdout.write(lines.join("\n") + "\n");
