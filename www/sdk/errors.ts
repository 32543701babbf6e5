// Module failures, typed as the host types them (`ModuleError::kind` in
// host/src/runtime/error.rs), so a page and a server log name a failure alike.

export type ModuleErrorKind =
  | "compile"
  | "missing_export"
  | "abi_version"
  | "instantiate"
  | "timeout"
  | "memory_limit"
  | "trap"
  | "input_too_large"
  | "output_too_large"
  | "output_out_of_bounds"
  | "malformed_output"
  | "contract_rejected";

/** A contract module could not answer. The instance that failed is dropped. */
export class ModuleError extends Error {
  readonly kind: ModuleErrorKind;

  constructor(kind: ModuleErrorKind, message: string) {
    super(`${kind}: ${message}`);
    this.name = "ModuleError";
    this.kind = kind;
  }
}

/**
 * The module's bytes are not the ones asked for: their SHA-256 differs from
 * the hash given to `Pactum.load` (`sha256`, e.g. the contract's
 * `moduleSha256`). Nothing was compiled.
 */
export class ModuleHashError extends Error {
  constructor(
    /** The hash the bytes were expected to have (hex). */
    readonly expected: string,
    /** The hash they have (hex). */
    readonly actual: string,
  ) {
    super(`the module's SHA-256 is ${actual}, not the expected ${expected}`);
    this.name = "ModuleHashError";
  }
}

/** The form in which a failure crosses `postMessage` (an `Error` subclass would lose its kind). */
export interface SerializedModuleError {
  kind: ModuleErrorKind;
  message: string;
}

export function serializeError(error: unknown): SerializedModuleError {
  if (error instanceof ModuleError) return { kind: error.kind, message: error.message.slice(error.kind.length + 2) };
  return { kind: "trap", message: error instanceof Error ? error.message : String(error) };
}

export function deserializeError(error: SerializedModuleError): ModuleError {
  return new ModuleError(error.kind, error.message);
}
