// The conformance corpus and the JSON-Schema-Test-Suite, evaluated inside
// Chromium by the SDK (plain ABI, the module the server serves), compared
// byte for byte with the outcomes the wasmtime host answered. The Rust
// driver (tests/tests/browser.rs) writes the calls and the expected bytes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { getJson, launch, required } from "./browser.mjs";

const base = required("PACTUM_BASE_URL");
const expected = JSON.parse(readFileSync(required("PACTUM_CONFORMANCE_FILE"), "utf8"));

test("Chromium answers every conformance call byte for byte as wasmtime does", async () => {
  const contracts = await getJson(base, "/contracts");
  const builtin = contracts.find((contract) => contract.module === "builtin");
  assert.ok(builtin, "the server serves no contract with the built-in module");
  assert.equal(builtin.moduleSha256, expected.moduleSha256, "the server runs another built-in module than the one the expectations came from");
  const chromium = await launch();
  try {
    const page = await chromium.context.newPage();
    await page.goto(`${base}/`);
    const result = await page.evaluate(
      async ({ moduleUrl, cases }) => {
        const { Pactum } = await import("/static/dist/sdk/index.js");
        const pactum = await Pactum.load({ moduleUrl });
        const encoder = new TextEncoder();
        const divergences = [];
        for (const { name, call, outcome } of cases) {
          let answer;
          try {
            answer = await pactum.evaluateJson(call);
          } catch (error) {
            answer = encoder.encode(`module error: ${error.message}`);
          }
          const want = encoder.encode(outcome);
          const same = answer.length === want.length && answer.every((byte, index) => byte === want[index]);
          if (!same) divergences.push({ name, expected: outcome, chromium: new TextDecoder().decode(answer) });
        }
        pactum.close();
        return { sha256: pactum.sha256, count: cases.length, divergences };
      },
      { moduleUrl: `/modules/${builtin.moduleSha256}.wasm`, cases: expected.cases },
    );
    for (const divergence of result.divergences) {
      console.log(`DIVERGENCE ${divergence.name}\n  wasmtime: ${divergence.expected}\n  chromium: ${divergence.chromium}`);
    }
    const corpus = expected.cases.filter((entry) => entry.name.startsWith("corpus/")).length;
    console.log(
      `browser conformance: ${result.count} cases (corpus ${corpus}, suite ${result.count - corpus}) in Chromium with module ${result.sha256.slice(0, 12)}; ${result.divergences.length} divergences`,
    );
    assert.equal(result.sha256, expected.moduleSha256);
    assert.equal(result.count, expected.cases.length);
    assert.equal(result.divergences.length, 0);
  } finally {
    await chromium.close();
  }
});
