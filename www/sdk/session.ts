// A module instance with its contract loaded, rebuilt after any failure:
// like the host, the SDK never reuses an instance whose call failed. Used
// inside the Web Worker and, where there is no worker, on the calling thread.

import { AbiInstance } from "./abi.js";
import { ModuleError } from "./errors.js";
import type { Budget } from "./types.js";

const decoder = new TextDecoder();

export class Session {
  private instance: AbiInstance | null = null;

  /**
   * @param load the `Load` JSON to run in every new instance, or `null` for
   *   a module used with inline contracts only.
   */
  constructor(
    private readonly module: WebAssembly.Module,
    private readonly budget: Budget,
    private readonly load: Uint8Array | null,
  ) {}

  /** Instantiates and loads the contract now (and answers the `loaded` outcome). */
  async start(): Promise<Uint8Array | null> {
    this.instance = null;
    const instance = await AbiInstance.create(this.module, this.budget);
    let loaded: Uint8Array | null = null;
    if (this.load) {
      loaded = instance.call("pactum_load", this.load);
      checkLoaded(loaded);
    }
    this.instance = instance;
    return loaded;
  }

  /** Runs one `Call`; on failure the instance is dropped and the next call starts a new one. */
  async evaluate(call: Uint8Array): Promise<Uint8Array> {
    if (!this.instance) await this.start();
    const instance = this.instance;
    if (!instance) throw new ModuleError("instantiate", "no instance");
    try {
      return instance.call("pactum_evaluate", call);
    } catch (error) {
      this.instance = null;
      throw error;
    }
  }
}

/** A load the module refused is `contract_rejected`, as in the host. */
function checkLoaded(output: Uint8Array): void {
  let outcome: unknown;
  try {
    outcome = JSON.parse(decoder.decode(output));
  } catch {
    throw new ModuleError("malformed_output", "the answer to `pactum_load` is not JSON");
  }
  const type = typeof outcome === "object" && outcome !== null ? (outcome as { type?: unknown }).type : undefined;
  if (type === "loaded") return;
  if (type === "failure") {
    const { code, message } = outcome as { code?: unknown; message?: unknown };
    throw new ModuleError("contract_rejected", `${String(code)} ${String(message)}`);
  }
  throw new ModuleError("malformed_output", "the answer to `pactum_load` is neither `loaded` nor `failure`");
}
