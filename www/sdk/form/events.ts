// The events a `<pactum-form>` dispatches: CustomEvents that bubble, with
// the server's answer (or the failure) in `detail`. `pactum-submit` and
// `pactum-verify` are cancelable: `preventDefault()` keeps the request
// from being sent.

import type { ContractDocument } from "../live.js";
import type { JsonObject } from "../types.js";
import type { Answer } from "./client.js";

export interface PactumFormEventDetails {
  /** The contract and the entity are read and the form is shown (also after a reload of them). */
  "pactum-ready": { contract: ContractDocument; entity: JsonObject; readOnly: boolean; sha256: string };
  /** Save was pressed with a payload the module accepts; cancelable. */
  "pactum-submit": { payload: JsonObject };
  /** The server accepted a save (200, 200.1, 200.2, 200.3); `pending`: the fields waiting for a code now. */
  "pactum-saved": { answer: Answer; payload: JsonObject; entity: JsonObject; pending: string[] };
  /** A code is about to be sent for a pending field; cancelable. */
  "pactum-verify": { field: string; code: string };
  /** A code was accepted (204): `fields` are confirmed, `pending` still wait. */
  "pactum-verified": { answer: Answer; fields: string[]; entity: JsonObject; pending: string[] };
  /** The server's dry run answered for a unique field's value (on blur, before Save). */
  "pactum-dry-run": { field: string; value: unknown; answer: Answer };
  /** A problem answer or a failure: `during` says of what. */
  "pactum-error": { during: "load" | "save" | "verify" | "resend" | "dry-run"; answer?: Answer; error?: unknown; field?: string };
  /** The server runs another module for the contract, now in use for the pre-validation. */
  "pactum-modulechange": { previousSha256: string; sha256: string; contract: ContractDocument };
  /** The server named another module, and it could not be loaded; the one in use stays. */
  "pactum-moduleerror": { requested: string | null; error: unknown };
}

export type PactumFormEventMap = { [K in keyof PactumFormEventDetails]: CustomEvent<PactumFormEventDetails[K]> };

/** Events that may be cancelled with `preventDefault()`. */
const CANCELABLE = new Set<keyof PactumFormEventDetails>(["pactum-submit", "pactum-verify"]);

/** Dispatches `type` on `target`; answers false when a listener cancelled it. */
export function emit<K extends keyof PactumFormEventDetails>(target: EventTarget, type: K, detail: PactumFormEventDetails[K]): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable: CANCELABLE.has(type) }));
}
