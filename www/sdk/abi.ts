// One instance of a contract module, driven through the plain ABI of
// docs/abi.md: alloc, copy in, call, read the packed (ptr << 32 | len)
// result, copy out, free. This is the only door the SDK uses, for the
// built-in module and plugins alike, so the browser runs the same bytes the
// same way the wasmtime host does.

import { ModuleError } from "./errors.js";
import type { Budget } from "./types.js";

export const ABI_VERSION = 1;

/** The exports docs/abi.md requires, with their parameter counts. */
const REQUIRED_FUNCTIONS = {
  pactum_abi_version: 0,
  pactum_alloc: 1,
  pactum_free: 2,
  pactum_load: 2,
  pactum_evaluate: 2,
} as const;

type AbiFunction = keyof typeof REQUIRED_FUNCTIONS;
type Entry = "pactum_load" | "pactum_evaluate";

/**
 * Every function import becomes a trap, exactly as the host links them: a
 * module that calls one fails with `trap`. Memory, table and global imports
 * are refused, as the host refuses them.
 */
function trappingImports(module: WebAssembly.Module): WebAssembly.Imports {
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const { module: namespace, name, kind } of WebAssembly.Module.imports(module)) {
    if (kind !== "function") {
      throw new ModuleError("instantiate", `the ${kind} import \`${namespace}::${name}\` is not provided`);
    }
    const stubs = (imports[namespace] ??= {});
    stubs[name] = () => {
      throw new ModuleError("trap", `the module called the import \`${namespace}::${name}\`, which Pactum does not provide`);
    };
  }
  return imports;
}

export class AbiInstance {
  private readonly memory: WebAssembly.Memory;
  private readonly functions: Record<AbiFunction, (...args: number[]) => unknown>;
  private readonly budget: Budget;

  private constructor(exports: WebAssembly.Exports, budget: Budget) {
    const memory = exports["memory"];
    if (!(memory instanceof WebAssembly.Memory)) {
      throw new ModuleError("missing_export", "the module exports no memory named `memory`");
    }
    const functions: Partial<Record<AbiFunction, (...args: number[]) => unknown>> = {};
    for (const [name, arity] of Object.entries(REQUIRED_FUNCTIONS) as [AbiFunction, number][]) {
      const candidate = exports[name];
      if (typeof candidate !== "function" || candidate.length !== arity) {
        throw new ModuleError("missing_export", `the module does not export \`${name}\` taking ${arity} parameters`);
      }
      functions[name] = candidate as (...args: number[]) => unknown;
    }
    this.memory = memory;
    this.functions = functions as Record<AbiFunction, (...args: number[]) => unknown>;
    this.budget = budget;
  }

  /** Instantiates `module` with trapping imports and checks its ABI version. */
  static async create(module: WebAssembly.Module, budget: Budget): Promise<AbiInstance> {
    let instance: WebAssembly.Instance;
    try {
      instance = await WebAssembly.instantiate(module, trappingImports(module));
    } catch (error) {
      if (error instanceof ModuleError) throw error;
      throw new ModuleError("instantiate", error instanceof Error ? error.message : String(error));
    }
    const abi = new AbiInstance(instance.exports, budget);
    const version = abi.invoke("pactum_abi_version");
    if (version !== ABI_VERSION) {
      throw new ModuleError("abi_version", `the module speaks ABI version ${String(version)}, not ${ABI_VERSION}`);
    }
    return abi;
  }

  /** The linear memory's size now, in bytes. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Runs `pactum_load` or `pactum_evaluate` on `input`; answers the output bytes. */
  call(entry: Entry, input: Uint8Array): Uint8Array {
    if (input.byteLength > this.budget.maxInputBytes) {
      throw new ModuleError("input_too_large", `the input is ${input.byteLength} bytes, over the limit of ${this.budget.maxInputBytes}`);
    }
    const inPtr = this.address(this.invoke("pactum_alloc", input.byteLength), "pactum_alloc");
    this.view(inPtr, input.byteLength, "trap").set(input);
    const packed = this.invoke(entry, inPtr, input.byteLength);
    this.invoke("pactum_free", inPtr, input.byteLength);
    if (typeof packed !== "bigint") {
      throw new ModuleError("missing_export", `\`${entry}\` must return an i64`);
    }
    const unsigned = BigInt.asUintN(64, packed);
    const outPtr = Number(unsigned >> 32n);
    const outLen = Number(unsigned & 0xffff_ffffn);
    if (outLen > this.budget.maxOutputBytes) {
      throw new ModuleError("output_too_large", `the output is ${outLen} bytes, over the limit of ${this.budget.maxOutputBytes}`);
    }
    const output = this.view(outPtr, outLen, "output_out_of_bounds").slice();
    this.invoke("pactum_free", outPtr, outLen);
    if (this.memoryBytes > this.budget.maxMemoryBytes) {
      // The browser cannot refuse a memory.grow the way wasmtime's
      // ResourceLimiter does; the call that grew past the limit fails instead.
      throw new ModuleError("memory_limit", `linear memory grew to ${this.memoryBytes} bytes, over the limit of ${this.budget.maxMemoryBytes}`);
    }
    return output;
  }

  private invoke(name: AbiFunction, ...args: number[]): unknown {
    try {
      return this.functions[name](...args);
    } catch (error) {
      if (error instanceof ModuleError) throw error;
      throw new ModuleError("trap", `\`${name}\` trapped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private address(value: unknown, from: string): number {
    if (typeof value !== "number") throw new ModuleError("missing_export", `\`${from}\` must return an i32`);
    return value >>> 0;
  }

  private view(ptr: number, len: number, kind: "trap" | "output_out_of_bounds"): Uint8Array {
    if (ptr + len > this.memory.buffer.byteLength) {
      throw new ModuleError(kind, `the buffer ${ptr}..${ptr + len} is outside linear memory (${this.memory.buffer.byteLength} bytes)`);
    }
    return new Uint8Array(this.memory.buffer, ptr, len);
  }
}
