// Generated from the Rust wire types (wire/src/messages.rs, wire/src/fields.rs)
// by ts-rs: do not edit. Regenerate with
// `UPDATE_TYPES=1 cargo test -p pactum-tests --test wire_types`.

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type Call = { 
/**
 * The contract document, compiled for this call only.
 */
contract?: JsonValue, 
/**
 * A contract loaded earlier with a [`Load`]; compiled once.
 */
contractRef?: string, operation?: WireOperation, 
/**
 * The entity's data now; `null` when it has none.
 */
current?: JsonValue, payload: JsonValue, 
/**
 * Facts the host supplies because a module has no clock or I/O, e.g.
 * `{"today": "2026-11-28"}`. The built-in module ignores them.
 */
context?: JsonValue, };

export type WireOperation = "update" | "create" | "validate";

export type Load = { contractRef: string, contract: JsonValue, };

export type Outcome = { "type": "decision" } & Decision | { "type": "loaded" } & Loaded | { "type": "failure" } & Failure;

export type Decision = { 
/**
 * The catalogue code of the decision (`200`, `200.1`, `400.10` ...).
 */
code: string, 
/**
 * The merged entity to store; `null` when rejected or validating.
 */
entity: JsonValue | null, 
/**
 * JSON Pointers of the fields the update changes.
 */
changed: Array<string>, 
/**
 * Verified fields held back until their code is confirmed.
 */
pending: Array<PendingChange>, 
/**
 * Normalised values the host must claim as unique.
 */
unique: Array<UniqueClaim>, errors: Array<FieldError>, };

export type PendingChange = { field: string, channel: Channel, value: JsonValue, };

export type UniqueClaim = { field: string, 
/**
 * `null` for unique fields without a role.
 */
role: Role | null, value: string, };

export type FieldError = { pointer: string, code: string, message: string, 
/**
 * A key of the message catalogue, e.g. `schema.minLength`.
 */
key?: string, 
/**
 * The key's parameters, e.g. `{"limit": 4}`; a contract's own words
 * for the field (`x-pactum-message`) come as `message`.
 */
params?: { [key in string]: JsonValue }, };

export type Loaded = { contractRef: string, };

export type Failure = { 
/**
 * A catalogue code: `422.1` (invalid contract), `422.2` (malformed
 * call) or `422.3` (unknown reference).
 */
code: string, message: string, 
/**
 * The places at fault, e.g. each problem in a rejected contract.
 */
problems: Array<FieldError>, };

export type Channel = "sms" | "email";

export type Role = "email" | "mobile";
