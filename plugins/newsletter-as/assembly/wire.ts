// The wire of docs/abi.md: reading a `Call` or a `Load`, dispatching it, and
// writing the `Outcome`. The same shapes as plugins/loyalty/src/wire.rs,
// read by hand: unknown or repeated members are a malformed call (`422.2`),
// a member that is `null` counts as absent, and a `contractRef` this
// instance has not loaded is `422.3`.

import { Json, Kind, Parser, Writer, cut, joined, preview } from "./json";
import {
  CalendarDate,
  Decision,
  FieldError,
  MAX_NODES,
  Operation,
  checkContract,
  evaluate,
  parseDate,
} from "./newsletter";

/** The codes of a call that cannot run. */
export const CONTRACT_INVALID = "422.1";
export const CALL_INVALID = "422.2";
export const CONTRACT_UNKNOWN_REF = "422.3";

/**
 * How many values the reader builds for each member. `payload` and
 * `current` get one more than the core's limit, so that a larger one is
 * answered `400.21` as the loyalty plugin answers it; past its budget a
 * member is still read to the end, building nothing.
 */
const DATA_BUDGET: i32 = MAX_NODES + 1;
const CONTRACT_BUDGET: i32 = 100000;
const CONTEXT_BUDGET: i32 = 1000;
const SCALAR_BUDGET: i32 = 1;

const CALL_MEMBERS = "`contract`, `contractRef`, `operation`, `current`, `payload`, `context`";

/** The references this instance has loaded with `pactum_load`. There is nothing to compile: a reference only records that its document was checked. */
const loaded = new Set<string>();

/** A member read from the input, and whether it ran past its budget. */
class Member {
  constructor(
    public value: Json,
    public overflowed: bool,
  ) {}
}

// ---------------------------------------------------------------- outcomes

export function failure(code: string, message: string, problems: FieldError[] = []): string {
  const out = new Writer();
  out.raw('{"type":"failure","code":').string(code).raw(',"message":').string(message).raw(',"problems":');
  writeErrors(out, problems);
  return out.raw("}").text();
}

function contractFailure(problems: FieldError[]): string {
  const detail: string[] = [];
  for (let index = 0; index < problems.length; index++) {
    const problem = unchecked(problems[index]);
    detail.push("at `" + problem.pointer + "`: " + problem.message);
  }
  return failure(CONTRACT_INVALID, "the contract is not valid: " + joined(detail, "; "), problems);
}

function loadedOutcome(reference: string): string {
  return new Writer().raw('{"type":"loaded","contractRef":').string(reference).raw("}").text();
}

function decisionOutcome(decision: Decision): string {
  const out = new Writer();
  out.raw('{"type":"decision","code":').string(decision.code).raw(',"entity":');
  const entity = decision.entity;
  if (entity === null) out.raw("null");
  else out.value(entity);
  out.raw(',"changed":[');
  for (let index = 0; index < decision.changed.length; index++) {
    if (index > 0) out.raw(",");
    out.string(unchecked(decision.changed[index]));
  }
  out.raw('],"pending":[],"unique":[');
  for (let index = 0; index < decision.unique.length; index++) {
    const claim = unchecked(decision.unique[index]);
    if (index > 0) out.raw(",");
    out.raw('{"field":').string(claim.field).raw(',"role":null,"value":').string(claim.value).raw("}");
  }
  out.raw('],"errors":');
  writeErrors(out, decision.errors);
  return out.raw("}").text();
}

function writeErrors(out: Writer, errors: FieldError[]): void {
  out.raw("[");
  for (let index = 0; index < errors.length; index++) {
    const error = unchecked(errors[index]);
    if (index > 0) out.raw(",");
    out.raw('{"pointer":').string(error.pointer).raw(',"code":').string(error.code);
    out.raw(',"message":').string(error.message).raw("}");
  }
  out.raw("]");
}

// ---------------------------------------------------------------- load

/** `pactum_load`: checks the document and records the reference. */
export function load(ptr: usize, len: i32): string {
  const parser = new Parser(ptr, len);
  if (!parser.openObject()) return failure(CALL_INVALID, "the load is not valid: it must be a JSON object");
  let reference: string | null = null;
  let contract: Member | null = null;
  while (true) {
    const key = parser.nextMember();
    if (key === null) break;
    if (key == "contractRef") {
      if (reference !== null) return failure(CALL_INVALID, "the load is not valid: duplicate field `contractRef`");
      const value = parser.member(SCALAR_BUDGET);
      if (parser.failed) break;
      if (value.kind != Kind.String) {
        return failure(CALL_INVALID, "the load is not valid: `contractRef` must be a string, not " + preview(value));
      }
      reference = value.text;
    } else if (key == "contract") {
      if (contract !== null) return failure(CALL_INVALID, "the load is not valid: duplicate field `contract`");
      const value = parser.member(CONTRACT_BUDGET);
      if (parser.failed) break;
      contract = new Member(value, parser.overflowed);
    } else {
      return failure(
        CALL_INVALID,
        "the load is not valid: unknown field `" + cut(key) + "`, expected `contractRef` or `contract`",
      );
    }
  }
  parser.finish();
  if (parser.failed) return failure(CALL_INVALID, "the load is not valid: " + parser.error);
  if (reference === null) return failure(CALL_INVALID, "the load is not valid: missing field `contractRef`");
  if (contract === null) return failure(CALL_INVALID, "the load is not valid: missing field `contract`");
  const problems = contractProblems(contract);
  if (problems.length > 0) return contractFailure(problems);
  loaded.add(reference);
  return loadedOutcome(reference);
}

function contractProblems(contract: Member): FieldError[] {
  if (contract.overflowed) {
    return [
      new FieldError(
        "",
        CONTRACT_INVALID,
        "the contract holds more than " + CONTRACT_BUDGET.toString() + " values, more than this module reads",
      ),
    ];
  }
  return checkContract(contract.value);
}

// ---------------------------------------------------------------- call

/** `pactum_evaluate`: runs one call. */
export function call(ptr: usize, len: i32): string {
  const parser = new Parser(ptr, len);
  if (!parser.openObject()) return failure(CALL_INVALID, "the call is not valid: it must be a JSON object");
  let contract: Member | null = null;
  let reference: string | null = null;
  let operation = Operation.Update;
  let current: Member | null = null;
  let payload: Member | null = null;
  let context: Json | null = null;
  // Which members were present, so that a repeated one is refused.
  const seen = new Set<string>();
  while (true) {
    const key = parser.nextMember();
    if (key === null) break;
    if (seen.has(key)) return failure(CALL_INVALID, "the call is not valid: duplicate field `" + key + "`");
    if (key == "contract") {
      const value = parser.member(CONTRACT_BUDGET);
      if (parser.failed) break;
      if (!value.isNull() || parser.overflowed) contract = new Member(value, parser.overflowed);
    } else if (key == "contractRef") {
      const value = parser.member(SCALAR_BUDGET);
      if (parser.failed) break;
      if (value.kind == Kind.String) {
        reference = value.text;
      } else if (!value.isNull()) {
        return failure(CALL_INVALID, "the call is not valid: `contractRef` must be a string, not " + preview(value));
      }
    } else if (key == "operation") {
      const value = parser.member(SCALAR_BUDGET);
      if (parser.failed) break;
      if (value.kind == Kind.String && value.text == "update") operation = Operation.Update;
      else if (value.kind == Kind.String && value.text == "create") operation = Operation.Create;
      else if (value.kind == Kind.String && value.text == "validate") operation = Operation.Validate;
      else if (!value.isNull()) {
        return failure(
          CALL_INVALID,
          "the call is not valid: unknown `operation` " + preview(value) + ', expected "update", "create" or "validate"',
        );
      }
    } else if (key == "current") {
      const value = parser.member(DATA_BUDGET);
      if (parser.failed) break;
      current = new Member(value, parser.overflowed);
    } else if (key == "payload") {
      const value = parser.member(DATA_BUDGET);
      if (parser.failed) break;
      payload = new Member(value, parser.overflowed);
    } else if (key == "context") {
      const value = parser.member(CONTEXT_BUDGET);
      if (parser.failed) break;
      if (parser.overflowed) {
        return failure(CALL_INVALID, "the call is not valid: `context` holds more than " + CONTEXT_BUDGET.toString() + " values");
      }
      if (value.kind == Kind.Object) context = value;
      else if (!value.isNull()) {
        return failure(CALL_INVALID, "the call is not valid: `context` must be an object, not " + preview(value));
      }
    } else {
      return failure(
        CALL_INVALID,
        "the call is not valid: unknown field `" + cut(key) + "`, expected one of " + CALL_MEMBERS,
      );
    }
    seen.add(key);
  }
  parser.finish();
  if (parser.failed) return failure(CALL_INVALID, "the call is not valid: " + parser.error);
  if (payload === null) return failure(CALL_INVALID, "the call is not valid: missing field `payload`");

  if (contract !== null && reference === null) {
    const problems = contractProblems(contract);
    if (problems.length > 0) return contractFailure(problems);
  } else if (contract === null && reference !== null) {
    if (!loaded.has(reference)) {
      return failure(CONTRACT_UNKNOWN_REF, "no contract is loaded under `" + cut(reference) + "`");
    }
  } else {
    return failure(CALL_INVALID, "a call needs exactly one of `contract` and `contractRef`");
  }

  // `context.today` is optional: without it, `subscribedSince` is only
  // checked to be a date. Given, it must be one.
  let today: CalendarDate | null = null;
  if (context !== null) {
    const given = context.get("today");
    if (given !== null && !given.isNull()) {
      today = given.kind == Kind.String ? parseDate(given.text) : null;
      if (today === null) {
        return failure(
          CALL_INVALID,
          "the call is not valid: `context.today` must be a date written YYYY-MM-DD, not " + preview(given),
        );
      }
    }
  }

  let currentValue = new Json(Kind.Null);
  let currentOverflowed = false;
  if (current !== null) {
    currentValue = current.value;
    currentOverflowed = current.overflowed;
  }
  const decision = evaluate(operation, currentValue, currentOverflowed, payload.value, payload.overflowed, today);
  return decisionOutcome(decision);
}
