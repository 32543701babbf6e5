// Type-level checks of the module's generated declarations: this file only
// compiles if the wasm-bindgen API keeps the shape the SDK relies on.
import init, { Contract, abiVersion, catalogue, engineVersion, evaluateJson, initSync, warmup } from "../../target/wasm/pactum_wasm.js";

export async function shapes(bytes: BufferSource): Promise<void> {
  await init({ module_or_path: bytes });
  initSync({ module: bytes });
  const contract: Contract = new Contract({ type: "object" });
  const decision: unknown = contract.evaluate({}, { name: "x" }, "update");
  const errors: unknown = contract.checkField({}, "/name", "x");
  const version: number = abiVersion();
  const engine: string = engineVersion();
  const text: string = evaluateJson("{}");
  const entries: unknown = catalogue();
  const warmed: boolean = warmup();
  contract.free();
  void [decision, errors, version, engine, text, entries, warmed];
}
