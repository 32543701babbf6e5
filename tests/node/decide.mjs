// Decides updates in node through the wasm-bindgen `Contract` (what the
// browser SDK runs), loading the same `_bg.wasm` bytes that wasmtime runs.
// Used by the reference-corpus runners (tests/src/reference.rs).
//
// usage: node decide.mjs <module-dir> <batch.json>
//   batch.json: {"contracts": {"<ref>": <contract>}, "calls": [{"contractRef", "operation", "current", "payload"}]}
// prints one JSON line per call: {"decision": <decision>} or {"error": "<message>"}
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [moduleDir, batchPath] = process.argv.slice(2);
if (!moduleDir || !batchPath) {
  console.error("usage: node decide.mjs <module-dir> <batch.json>");
  process.exit(2);
}
const glue = await import(pathToFileURL(join(moduleDir, "pactum_wasm.js")).href);
glue.initSync({ module: readFileSync(join(moduleDir, "pactum_wasm_bg.wasm")) });

const batch = JSON.parse(readFileSync(batchPath, "utf8"));
const contracts = new Map();
for (const [reference, schema] of Object.entries(batch.contracts)) {
  contracts.set(reference, new glue.Contract(schema));
}
const lines = [];
for (const call of batch.calls) {
  try {
    const contract = contracts.get(call.contractRef);
    const decision = contract.evaluate(call.current ?? null, call.payload, call.operation ?? "update");
    lines.push(JSON.stringify({ decision }));
  } catch (error) {
    lines.push(JSON.stringify({ error: String(error) }));
  }
}
process.stdout.write(lines.join("\n") + "\n");
