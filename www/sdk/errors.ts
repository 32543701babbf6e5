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
