// The newsletter-subscription contract, decided in code: the document in
// `contract.json` names the fields, this file enforces them.
//
// The merge rules and the decision are the loyalty plugin's
// (plugins/loyalty/src/loyalty.rs), which follow the core's
// (docs/contracts.md): an unknown field is 400.10, a read-only field may only
// be sent with its current value (400.11), `null` clears an optional field
// and is 400.12 on a required one, the merged document is then checked as a
// whole, and the top-level code is the one every error shares, else `400`.
// The rules of the fields:
//
// - `topics`: 1 to 5 distinct topics from `TOPICS` (required);
// - `frequency`: "daily", "weekly" or "monthly" (required);
// - `nickname`: 3 to 20 characters of a-z, 0-9 and "_" (optional, unique);
// - `subscribedSince`: a date, read-only, never after `context.today`.

import {
  Json,
  Kind,
  codePoints,
  compareText,
  copyMembers,
  cut,
  equal,
  joined,
  nullValue,
  objectValue,
  pointer,
  preview,
} from "./json";

/** The catalogue codes this module answers with (docs/errors.md), the loyalty plugin's. */
export const OK = "200";
export const CREATED = "201";
export const VALIDATION_FAILED = "400";
export const FIELD_UNKNOWN = "400.10";
export const FIELD_READ_ONLY = "400.11";
export const FIELD_REQUIRED = "400.12";
export const NOT_OBJECT = "400.20";
export const TOO_COMPLEX = "400.21";
export const CONTRACT_INVALID = "422.1";

/** The topics a subscriber may choose. */
export const TOPICS: string[] = ["announcements", "engineering", "events", "offers", "product", "security"];
export const MIN_TOPICS = 1;
export const MAX_TOPICS = 5;
export const FREQUENCIES: string[] = ["daily", "weekly", "monthly"];
export const MIN_NICKNAME = 3;
export const MAX_NICKNAME = 20;

/** The input limits of the core (docs/contracts.md, "Input limits"), as the loyalty plugin applies them. */
export const MAX_DEPTH = 32;
export const MAX_NODES = 20000;
/** The longest member name, in characters. */
export const MAX_NAME_CHARS = 1000;

export const enum Operation {
  Update = 0,
  Create = 1,
  Validate = 2,
}

/** One field of the contract, as this module implements it. */
class Field {
  constructor(
    public name: string,
    public readOnly: bool,
    public required: bool,
    public unique: bool,
  ) {}
}

const FIELDS: Field[] = [
  new Field("topics", false, true, false),
  new Field("frequency", false, true, false),
  new Field("nickname", false, false, true),
  new Field("subscribedSince", true, false, false),
];

function field(name: string): Field | null {
  for (let index = 0; index < FIELDS.length; index++) {
    const candidate = unchecked(FIELDS[index]);
    if (candidate.name == name) return candidate;
  }
  return null;
}

/** One failing field (or contract problem); sorted by pointer, then code, then message. */
export class FieldError {
  constructor(
    public pointer: string,
    public code: string,
    public message: string,
  ) {}
}

function compareErrors(a: FieldError, b: FieldError): i32 {
  let order = compareText(a.pointer, b.pointer);
  if (order == 0) order = compareText(a.code, b.code);
  if (order == 0) order = compareText(a.message, b.message);
  return order;
}

/** A unique value the host must claim; this contract's role is always `null`. */
export class Claim {
  constructor(
    public field: string,
    public value: string,
  ) {}
}

/** The decision, in the wire's member order. This contract verifies nothing: `pending` is always empty. */
export class Decision {
  code: string = OK;
  entity: Json | null = null;
  changed: string[] = [];
  unique: Claim[] = [];
  errors: FieldError[] = [];
}

function accepted(code: string, entity: Json | null, changed: string[], unique: Claim[]): Decision {
  const decision = new Decision();
  decision.code = code;
  decision.entity = entity;
  decision.changed = changed;
  decision.unique = unique;
  return decision;
}

/** Sorted and without repeats; the code every error shares, else `400`. */
function rejected(errors: FieldError[]): Decision {
  errors.sort(compareErrors);
  const kept: FieldError[] = [];
  for (let index = 0; index < errors.length; index++) {
    const error = unchecked(errors[index]);
    if (kept.length > 0 && compareErrors(kept[kept.length - 1], error) == 0) continue;
    kept.push(error);
  }
  const decision = new Decision();
  decision.errors = kept;
  decision.code = topCode(kept);
  return decision;
}

function topCode(errors: FieldError[]): string {
  if (errors.length == 0) return VALIDATION_FAILED;
  const first = errors[0].code;
  for (let index = 1; index < errors.length; index++) {
    if (unchecked(errors[index]).code != first) return VALIDATION_FAILED;
  }
  return first;
}

/** A calendar date, `YYYY-MM-DD` (RFC 3339 `full-date`), as one comparable number. */
export class CalendarDate {
  constructor(
    public year: i32,
    public month: i32,
    public day: i32,
  ) {}

  order(): i32 {
    return (this.year * 100 + this.month) * 100 + this.day;
  }

  toString(): string {
    return pad(this.year, 4) + "-" + pad(this.month, 2) + "-" + pad(this.day, 2);
  }
}

function pad(value: i32, width: i32): string {
  return value.toString().padStart(width, "0");
}

/** Parses exactly `YYYY-MM-DD`, refusing a day the month does not have. */
export function parseDate(text: string): CalendarDate | null {
  if (text.length != 10 || text.charCodeAt(4) != 0x2d || text.charCodeAt(7) != 0x2d) return null;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return new CalendarDate(year, month, day);
}

function digitsAt(text: string, start: i32, count: i32): i32 {
  let value = 0;
  for (let index = start; index < start + count; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x30 || unit > 0x39) return -1;
    value = value * 10 + (unit - 0x30);
  }
  return value;
}

function daysInMonth(year: i32, month: i32): i32 {
  const leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  if (month == 2) return leap ? 29 : 28;
  if (month == 4 || month == 6 || month == 9 || month == 11) return 30;
  if (month >= 1 && month <= 12) return 31;
  return 0;
}

/**
 * Checks that a contract document describes the fields this module
 * implements, so that the document a form shows and the rules the module
 * applies cannot drift apart. Titles, descriptions and schema keywords are
 * the document's own business. Empty when it does.
 */
export function checkContract(document: Json): FieldError[] {
  const problems: FieldError[] = [];
  const properties = document.get("properties");
  if (properties === null || properties.kind != Kind.Object) {
    problems.push(
      new FieldError("/properties", CONTRACT_INVALID, "the contract must be an object that declares `properties`"),
    );
    return problems;
  }
  for (let index = 0; index < FIELDS.length; index++) {
    const known = unchecked(FIELDS[index]);
    const at = pointer("/properties", known.name);
    const schema = properties.get(known.name);
    if (schema === null) {
      problems.push(
        new FieldError(at, CONTRACT_INVALID, "this module decides `" + known.name + "`; the contract must declare it"),
      );
      continue;
    }
    const flag = schema.get("readOnly");
    const readOnly = flag !== null && flag.kind == Kind.Bool && flag.flag;
    if (readOnly != known.readOnly) {
      const message = known.readOnly
        ? "`" + known.name + '` is read-only in this module; mark it `"readOnly": true`'
        : "`" + known.name + "` is writable in this module; it cannot be read-only";
      problems.push(new FieldError(at + "/readOnly", CONTRACT_INVALID, message));
    }
  }
  const names = properties.members!.keys();
  names.sort(compareText);
  for (let index = 0; index < names.length; index++) {
    const name = unchecked(names[index]);
    if (field(name) === null) {
      problems.push(
        new FieldError(
          pointer("/properties", name),
          CONTRACT_INVALID,
          "this module does not implement the field `" + cut(name) + "`",
        ),
      );
    }
  }
  // `required` must name exactly the required fields, in any order.
  const listed = new Set<string>();
  const required = document.get("required");
  if (required !== null && required.kind == Kind.Array) {
    const items = required.items!;
    for (let index = 0; index < items.length; index++) {
      const item = unchecked(items[index]);
      if (item.kind == Kind.String) listed.add(item.text);
    }
  }
  const expected: string[] = [];
  for (let index = 0; index < FIELDS.length; index++) {
    if (unchecked(FIELDS[index]).required) expected.push(unchecked(FIELDS[index]).name);
  }
  let same = listed.size == expected.length;
  for (let index = 0; same && index < expected.length; index++) {
    same = listed.has(unchecked(expected[index]));
  }
  if (!same) {
    problems.push(
      new FieldError(
        "/required",
        CONTRACT_INVALID,
        'must list exactly ["' + joined(expected, '", "') + '"], the fields this module requires',
      ),
    );
  }
  return problems;
}

/**
 * Decides one call. Pure: the only fact from outside is `today` (null when
 * the call gave none). `payloadOverflowed` and `currentOverflowed` say the
 * reader stopped building that value past `MAX_NODES`.
 */
export function evaluate(
  operation: Operation,
  current: Json,
  currentOverflowed: bool,
  payload: Json,
  payloadOverflowed: bool,
  today: CalendarDate | null,
): Decision {
  const payloadLimit = checkLimits(payload, payloadOverflowed);
  if (payloadLimit.length > 0) return tooComplex("payload " + payloadLimit);
  const currentLimit = checkLimits(current, currentOverflowed);
  if (currentLimit.length > 0) return tooComplex("current data " + currentLimit);

  if (operation == Operation.Validate) {
    const errors = validate(payload, today);
    return errors.length == 0 ? accepted(OK, null, [], []) : rejected(errors);
  }
  if (payload.kind != Kind.Object) {
    return rejected([new FieldError("", NOT_OBJECT, "payload must be a JSON object")]);
  }
  if (current.kind != Kind.Object && current.kind != Kind.Null) {
    return rejected([new FieldError("", NOT_OBJECT, "current data must be a JSON object")]);
  }
  const before = current.kind == Kind.Object ? current : objectValue(new Map<string, Json>());
  const merged = copyMembers(before);
  const errors: FieldError[] = [];
  const changed: string[] = [];
  const patch = payload.members!;
  const keys = patch.keys();
  const absent = nullValue();
  for (let index = 0; index < keys.length; index++) {
    const key = unchecked(keys[index]);
    const value = patch.get(key);
    const at = pointer("", key);
    const known = field(key);
    if (known === null) {
      errors.push(new FieldError(at, FIELD_UNKNOWN, "`" + cut(key) + "` is not a field of this contract"));
      continue;
    }
    const old = merged.has(key) ? merged.get(key) : absent;
    if (known.readOnly) {
      if (!equal(value, old)) {
        errors.push(
          new FieldError(at, FIELD_READ_ONLY, "`" + key + "` is read-only: send its current value or leave it out"),
        );
      }
      continue;
    }
    if (value.isNull()) {
      if (known.required) {
        errors.push(new FieldError(at, FIELD_REQUIRED, "`" + key + "` is required and cannot be cleared"));
      } else if (merged.has(key)) {
        if (!old.isNull()) changed.push(at);
        merged.delete(key);
      }
      continue;
    }
    if (!equal(value, old)) changed.push(at);
    merged.set(key, value);
  }

  // The whole document: a stored value that breaks the contract fails an
  // update that does not touch it.
  const whole = validateObject(merged, today);
  for (let index = 0; index < whole.length; index++) errors.push(unchecked(whole[index]));
  if (errors.length > 0) return rejected(errors);

  const unique: Claim[] = [];
  for (let index = 0; index < FIELDS.length; index++) {
    const known = unchecked(FIELDS[index]);
    if (!known.unique || !merged.has(known.name)) continue;
    const now = merged.get(known.name);
    const was = before.get(known.name);
    if (was !== null && equal(was, now)) continue;
    unique.push(new Claim(known.name, now.kind == Kind.String ? now.text : preview(now)));
  }
  changed.sort(compareText);
  const code = operation == Operation.Create ? CREATED : OK;
  return accepted(code, objectValue(merged), dedup(changed), unique);
}

function tooComplex(message: string): Decision {
  return rejected([new FieldError("", TOO_COMPLEX, message)]);
}

function dedup(sorted: string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < sorted.length; index++) {
    const item = unchecked(sorted[index]);
    if (kept.length == 0 || kept[kept.length - 1] != item) kept.push(item);
  }
  return kept;
}

/** The document as a whole against the contract (`validate`, no merge rules). */
function validate(document: Json, today: CalendarDate | null): FieldError[] {
  if (document.kind == Kind.Object) return validateObject(document.members!, today);
  return [new FieldError("", VALIDATION_FAILED, preview(document) + ' is not of type "object"')];
}

function validateObject(members: Map<string, Json>, today: CalendarDate | null): FieldError[] {
  const errors: FieldError[] = [];
  for (let index = 0; index < FIELDS.length; index++) {
    const known = unchecked(FIELDS[index]);
    const at = pointer("", known.name);
    if (!members.has(known.name)) {
      if (known.required) {
        errors.push(new FieldError(at, FIELD_REQUIRED, '"' + known.name + '" is a required property'));
      }
      continue;
    }
    checkValue(known.name, at, members.get(known.name), today, errors);
  }
  const names = members.keys();
  names.sort(compareText);
  for (let index = 0; index < names.length; index++) {
    const name = unchecked(names[index]);
    if (field(name) === null) {
      errors.push(
        new FieldError(
          "",
          VALIDATION_FAILED,
          "Additional properties are not allowed ('" + cut(name) + "' was unexpected)",
        ),
      );
    }
  }
  return errors;
}

/** The rules of one field's value; each failure is one error at `at` (or at an item of it). */
function checkValue(name: string, at: string, value: Json, today: CalendarDate | null, errors: FieldError[]): void {
  if (name == "topics") {
    checkTopics(at, value, errors);
    return;
  }
  if (value.kind != Kind.String) {
    errors.push(new FieldError(at, VALIDATION_FAILED, preview(value) + ' is not of type "string"'));
    return;
  }
  const text = value.text;
  if (name == "frequency") {
    if (!FREQUENCIES.includes(text)) {
      errors.push(new FieldError(at, VALIDATION_FAILED, preview(value) + ' is not one of "daily", "weekly" or "monthly"'));
    }
  } else if (name == "nickname") {
    let allowed = true;
    for (let index = 0; allowed && index < text.length; index++) {
      const unit = text.charCodeAt(index);
      allowed = (unit >= 0x61 && unit <= 0x7a) || (unit >= 0x30 && unit <= 0x39) || unit == 0x5f;
    }
    const length = codePoints(text);
    if (!allowed) {
      errors.push(
        new FieldError(at, VALIDATION_FAILED, preview(value) + ' may only hold lowercase letters a-z, digits 0-9 and "_"'),
      );
    } else if (length < MIN_NICKNAME) {
      errors.push(
        new FieldError(at, VALIDATION_FAILED, preview(value) + " is shorter than " + MIN_NICKNAME.toString() + " characters"),
      );
    } else if (length > MAX_NICKNAME) {
      errors.push(
        new FieldError(at, VALIDATION_FAILED, preview(value) + " is longer than " + MAX_NICKNAME.toString() + " characters"),
      );
    }
  } else if (name == "subscribedSince") {
    const since = parseDate(text);
    if (since === null) {
      errors.push(new FieldError(at, VALIDATION_FAILED, preview(value) + ' is not a "date"'));
    } else if (today !== null && since.order() > today.order()) {
      errors.push(
        new FieldError(
          at,
          VALIDATION_FAILED,
          "the subscription date " + since.toString() + " is after today, " + today.toString(),
        ),
      );
    }
  }
}

function checkTopics(at: string, value: Json, errors: FieldError[]): void {
  if (value.kind != Kind.Array) {
    errors.push(new FieldError(at, VALIDATION_FAILED, preview(value) + ' is not of type "array"'));
    return;
  }
  const items = value.items!;
  if (items.length < MIN_TOPICS) {
    errors.push(new FieldError(at, VALIDATION_FAILED, "subscribe to at least " + MIN_TOPICS.toString() + " topic"));
  } else if (items.length > MAX_TOPICS) {
    errors.push(
      new FieldError(
        at,
        VALIDATION_FAILED,
        "lists " + items.length.toString() + " topics; at most " + MAX_TOPICS.toString() + " are allowed",
      ),
    );
  }
  // Where each known topic was first listed: one look-up per item.
  const first = new Map<string, i32>();
  for (let index = 0; index < items.length; index++) {
    const item = unchecked(items[index]);
    const itemAt = at + "/" + index.toString();
    if (item.kind != Kind.String) {
      errors.push(new FieldError(itemAt, VALIDATION_FAILED, preview(item) + ' is not of type "string"'));
      continue;
    }
    if (!TOPICS.includes(item.text)) {
      errors.push(
        new FieldError(
          itemAt,
          VALIDATION_FAILED,
          preview(item) + ' is not a known topic: one of "' + joined(TOPICS, '", "') + '"',
        ),
      );
      continue;
    }
    if (first.has(item.text)) {
      const earlier = first.get(item.text);
      errors.push(
        new FieldError(
          itemAt,
          VALIDATION_FAILED,
          preview(item) + " is listed twice (also at " + at + "/" + earlier.toString() + ")",
        ),
      );
    } else {
      first.set(item.text, index);
    }
  }
}

/**
 * The core's input limits (`pactum_wire::limits`, as the loyalty plugin
 * applies them), checked without recursion: "" when `value` keeps them,
 * else what it breaks. `overflowed`: the reader already counted more
 * than `MAX_NODES` values.
 */
function checkLimits(value: Json, overflowed: bool): string {
  if (overflowed) return "holds more than " + MAX_NODES.toString() + " values";
  const stack: Json[] = [value];
  const depths: i32[] = [1];
  let nodes = 0;
  while (stack.length > 0) {
    const next = stack.pop();
    const depth = depths.pop();
    nodes++;
    if (nodes > MAX_NODES) return "holds more than " + MAX_NODES.toString() + " values";
    if (depth > MAX_DEPTH) return "nested deeper than " + MAX_DEPTH.toString() + " levels";
    if (next.kind == Kind.Array) {
      const items = next.items!;
      for (let index = 0; index < items.length; index++) {
        stack.push(unchecked(items[index]));
        depths.push(depth + 1);
      }
    } else if (next.kind == Kind.Object) {
      const members = next.members!;
      const names = members.keys();
      for (let index = 0; index < names.length; index++) {
        const name = unchecked(names[index]);
        // A UTF-16 length within the limit is within it in code points too.
        if (name.length > MAX_NAME_CHARS && codePoints(name) > MAX_NAME_CHARS) {
          return "has a member name longer than " + MAX_NAME_CHARS.toString() + " characters";
        }
      }
      const children = members.values();
      for (let index = 0; index < children.length; index++) {
        stack.push(unchecked(children[index]));
        depths.push(depth + 1);
      }
    }
  }
  return "";
}
