// The wire format of docs/abi.md: what a contract module reads (`Call`,
// `Load`) and answers (`Outcome`). The shapes are `./wire.ts`, generated
// from the Rust wire types (pactum-wire) and checked for staleness by the
// test command; this file only names them for the SDK and narrows the few
// members a page fills in (`context.today`).

import type * as Wire from "./wire.js";

export type { Channel, FieldError, Load, PendingChange, Role, UniqueClaim } from "./wire.js";

/** Any JSON value. */
export type Json = Wire.JsonValue;

/** A JSON object, e.g. an entity's data. */
export type JsonObject = { [member: string]: Json };

/** 1003 (`update`), 1001 (`create`), or a whole-document check (`validate`). */
export type Operation = Wire.WireOperation;

/** Facts a module cannot know by itself: it has no clock. */
export interface CallContext {
  /** `YYYY-MM-DD`, UTC. The SDK fills in today's date when left out. */
  today?: string;
  [member: string]: Json | undefined;
}

/** One call to `pactum_evaluate`: exactly one of `contract` and `contractRef`. */
export type Call = Omit<Wire.Call, "context"> & { context?: CallContext };

/** What a page asks of a loaded contract: a `Call` without the contract. */
export type Request = Omit<Call, "contract" | "contractRef">;

/** The call ran: accepted (`errors` empty) or rejected. */
export type Decision = { type: "decision" } & Wire.Decision;

/** The call could not run: 422.1 (invalid contract), 422.2 (malformed call), 422.3 (unknown reference). */
export type Failure = { type: "failure" } & Wire.Failure;

/** The answer to `pactum_load`. */
export type Loaded = { type: "loaded" } & Wire.Loaded;

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
