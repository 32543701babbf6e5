// The wire format of docs/abi.md as TypeScript types: what a contract module
// reads (`Call`, `Load`) and answers (`Outcome`). The same JSON the server's
// wasmtime host exchanges with the module.

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [member: string]: Json };

/** A JSON object, e.g. an entity's data. */
export type JsonObject = { [member: string]: Json };

/** 1003 (`update`), 1001 (`create`), or a whole-document check (`validate`). */
export type Operation = "update" | "create" | "validate";

/** Facts a module cannot know by itself: it has no clock. */
export interface CallContext {
  /** `YYYY-MM-DD`, UTC. The SDK fills in today's date when left out. */
  today?: string;
  [member: string]: Json | undefined;
}

/** One call to `pactum_evaluate`: exactly one of `contract` and `contractRef`. */
export interface Call {
  contract?: JsonObject | boolean;
  contractRef?: string;
  operation?: Operation;
  current?: JsonObject | null;
  payload: Json;
  context?: CallContext;
}

/** What a page asks of a loaded contract: a `Call` without the contract. */
export type Request = Omit<Call, "contract" | "contractRef">;

/** One failing field: a JSON Pointer, a catalogue code and the engine's message. */
export interface FieldError {
  pointer: string;
  code: string;
  message: string;
}

/** A verified field waiting for a code. */
export interface PendingChange {
  field: string;
  channel: "sms" | "email";
  value: Json;
}

/** A normalized value the host must claim as unique. */
export interface UniqueClaim {
  field: string;
  role: "email" | "mobile" | null;
  value: Json;
}

/** The call ran: accepted (`errors` empty) or rejected. */
export interface Decision {
  type: "decision";
  code: string;
  entity: JsonObject | null;
  changed: string[];
  pending: PendingChange[];
  unique: UniqueClaim[];
  errors: FieldError[];
}

/** The call could not run: 422.1 (invalid contract), 422.2 (malformed call), 422.3 (unknown reference). */
export interface Failure {
  type: "failure";
  code: string;
  message: string;
  problems: FieldError[];
}

/** The answer to `pactum_load`. */
export interface Loaded {
  type: "loaded";
  contractRef: string;
}

/** The answer to `pactum_evaluate`. */
export type Outcome = Decision | Failure;

/**
 * The limits of one module call. Defaults follow the host's
 * (`pactum_host::runtime::Limits`) where the browser can enforce them.
 */
export interface Budget {
  /** Wall-clock deadline per call; only enforced with `isolation: "worker"`. */
  deadlineMs: number;
  /** Call JSON larger than this is refused before the module sees it. */
  maxInputBytes: number;
  /** An outcome larger than this fails the call. */
  maxOutputBytes: number;
  /** Linear memory above this after a call fails it and drops the instance. */
  maxMemoryBytes: number;
}

export const DEFAULT_BUDGET: Readonly<Budget> = Object.freeze({
  deadlineMs: 2_000,
  maxInputBytes: 1024 * 1024,
  maxOutputBytes: 4 * 1024 * 1024,
  maxMemoryBytes: 64 * 1024 * 1024,
});
