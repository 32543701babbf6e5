// A small JSON reader and writer, written for this module.
//
// AssemblyScript has no exceptions: a library that throws on bad input
// (every JSON library for AssemblyScript does) would turn a malformed call
// into a trap. This reader never throws: it reads the host's bytes in place,
// records the first error with its line and column, and the caller answers a
// `failure` outcome. It also bounds what an input can cost:
//
// - nesting deeper than `MAX_NESTING` containers is an error, so the
//   recursion (and the machine stack) stays small;
// - each value is read with a budget of nodes; past it the reader still
//   checks the syntax but builds nothing and sets `overflowed`, so a 1 MiB
//   input of tiny values cannot fill memory.
//
// Strings are checked as serde_json checks them: valid UTF-8, no raw control
// characters, escapes well formed, surrogate escapes paired. Numbers follow
// the JSON grammar and must fit an f64.
//
// The writer produces the canonical form of docs/abi.md: no whitespace,
// object members sorted by key (in code point order, which is the byte order
// of their UTF-8).

/** The nesting limit of the reader: serde_json's default recursion limit. */
export const MAX_NESTING: i32 = 128;

export const enum Kind {
  Null = 0,
  Bool = 1,
  Number = 2,
  String = 3,
  Array = 4,
  Object = 5,
}

/** One JSON value. Scalars allocate no container. */
export class Json {
  kind: Kind;
  /** A boolean's value. */
  flag: bool = false;
  /** A string's value, or a number's text as written. */
  text: string = "";
  items: Array<Json> | null = null;
  members: Map<string, Json> | null = null;

  constructor(kind: Kind) {
    this.kind = kind;
  }

  isNull(): bool {
    return this.kind == Kind.Null;
  }

  /** The member `key` of an object, or null (for a missing member or a non-object). */
  get(key: string): Json | null {
    const members = this.members;
    if (this.kind != Kind.Object || members === null) return null;
    return members.has(key) ? members.get(key) : null;
  }
}

/** The value the reader answers where it builds nothing (an error, or past the budget). */
const SKIPPED = new Json(Kind.Null);

export function nullValue(): Json {
  return new Json(Kind.Null);
}

export function stringValue(text: string): Json {
  const value = new Json(Kind.String);
  value.text = text;
  return value;
}

export function objectValue(members: Map<string, Json>): Json {
  const value = new Json(Kind.Object);
  value.members = members;
  return value;
}

export function arrayValue(items: Array<Json>): Json {
  const value = new Json(Kind.Array);
  value.items = items;
  return value;
}

/** A shallow copy of an object's members, in their order. */
export function copyMembers(value: Json): Map<string, Json> {
  const copy = new Map<string, Json>();
  const members = value.members;
  if (members === null) return copy;
  const keys = members.keys();
  for (let index = 0; index < keys.length; index++) {
    const key = unchecked(keys[index]);
    copy.set(key, members.get(key));
  }
  return copy;
}

/** JSON equality, as serde_json's `Value` compares: members in any order; numbers by value, an integer never equal to a float. */
export function equal(a: Json, b: Json): bool {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind.Null:
      return true;
    case Kind.Bool:
      return a.flag == b.flag;
    case Kind.String:
      return a.text == b.text;
    case Kind.Number:
      return isFloatText(a.text) == isFloatText(b.text) && parseFloat(a.text) == parseFloat(b.text);
    case Kind.Array: {
      const left = a.items!;
      const right = b.items!;
      if (left.length != right.length) return false;
      for (let index = 0; index < left.length; index++) {
        if (!equal(unchecked(left[index]), unchecked(right[index]))) return false;
      }
      return true;
    }
    default: {
      const left = a.members!;
      const right = b.members!;
      if (left.size != right.size) return false;
      const keys = left.keys();
      for (let index = 0; index < keys.length; index++) {
        const key = unchecked(keys[index]);
        if (!right.has(key) || !equal(left.get(key), right.get(key))) return false;
      }
      return true;
    }
  }
}

function isFloatText(text: string): bool {
  return text.includes(".") || text.includes("e") || text.includes("E");
}

/** Orders strings by code point (the byte order of their UTF-8), as Rust's `String` does. */
export function compareText(a: string, b: string): i32 {
  const shared = min(a.length, b.length);
  for (let index = 0; index < shared; index++) {
    const x = a.charCodeAt(index);
    const y = b.charCodeAt(index);
    if (x != y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** UTF-16 code units reordered so that surrogates (code points past U+FFFF) sort after U+E000..U+FFFF. */
function codePointRank(unit: i32): i32 {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** Characters (code points) in `text`, as JSON Schema's `minLength` counts. */
export function codePoints(text: string): i32 {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    // A trailing surrogate completes a pair counted at its lead.
    if (unit < 0xdc00 || unit > 0xdfff) count++;
  }
  return count;
}

/**
 * `parts` joined with `separator`, in one allocation. The standard
 * `Array#join` concatenates pair by pair when built with a shrink level
 * (quadratic, and the minimal runtime collects nothing meanwhile).
 */
export function joined(parts: Array<string>, separator: string = ""): string {
  if (parts.length == 0) return "";
  let total = separator.length * (parts.length - 1);
  for (let index = 0; index < parts.length; index++) total += unchecked(parts[index]).length;
  const result = changetype<string>(__new(<usize>total << 1, idof<string>()));
  let at = changetype<usize>(result);
  for (let index = 0; index < parts.length; index++) {
    if (index > 0 && separator.length > 0) {
      memory.copy(at, changetype<usize>(separator), <usize>separator.length << 1);
      at += <usize>separator.length << 1;
    }
    const part = unchecked(parts[index]);
    memory.copy(at, changetype<usize>(part), <usize>part.length << 1);
    at += <usize>part.length << 1;
  }
  return result;
}

/** `path` with one more RFC 6901 reference token. */
export function pointer(path: string, token: string): string {
  return path + "/" + token.replaceAll("~", "~0").replaceAll("/", "~1");
}

// ---------------------------------------------------------------- reading

/** Reads JSON from `len` bytes at `ptr` (the host's input buffer, read in place). */
export class Parser {
  ptr: usize;
  len: i32;
  pos: i32 = 0;
  failed: bool = false;
  error: string = "";
  /** Values left to build in the value being read. */
  budget: i32 = 0;
  /** The value being read had more values than its budget. */
  overflowed: bool = false;
  /** Members read so far of the top-level object. */
  count: i32 = 0;

  constructor(ptr: usize, len: i32) {
    this.ptr = ptr;
    this.len = len;
  }

  /** The byte at the reading position, or -1 at the end. */
  peek(): i32 {
    return this.pos < this.len ? <i32>load<u8>(this.ptr + <usize>this.pos) : -1;
  }

  skipSpace(): void {
    while (this.pos < this.len) {
      const byte = load<u8>(this.ptr + <usize>this.pos);
      if (byte != 0x20 && byte != 0x0a && byte != 0x0d && byte != 0x09) break;
      this.pos++;
    }
  }

  /** Records the first error, with where it happened (serde_json's wording). */
  fail(message: string): void {
    if (this.failed) return;
    this.failed = true;
    let line = 1;
    let lineStart = 0;
    const end = min(this.pos, this.len);
    for (let index = 0; index < end; index++) {
      if (load<u8>(this.ptr + <usize>index) == 0x0a) {
        line++;
        lineStart = index + 1;
      }
    }
    this.error = message + " at line " + line.toString() + " column " + (end - lineStart + 1).toString();
  }

  /** Opens the top-level object: false unless the input starts with `{`. */
  openObject(): bool {
    this.skipSpace();
    if (this.peek() != 0x7b) return false;
    this.pos++;
    this.count = 0;
    return true;
  }

  /**
   * The name of the top-level object's next member, its `:` read; null at
   * the closing `}` or on an error (`failed`).
   */
  nextMember(): string | null {
    this.skipSpace();
    const byte = this.peek();
    if (byte == 0x7d && this.count == 0) {
      this.pos++;
      return null;
    }
    if (this.count > 0) {
      if (byte == 0x7d) {
        this.pos++;
        return null;
      }
      if (byte != 0x2c) {
        this.fail(byte < 0 ? "EOF while parsing an object" : "expected `,` or `}`");
        return null;
      }
      this.pos++;
      this.skipSpace();
    }
    if (this.peek() != 0x22) {
      this.fail(this.peek() < 0 ? "EOF while parsing an object" : "key must be a string");
      return null;
    }
    const key = this.string(true);
    if (this.failed) return null;
    this.skipSpace();
    if (this.peek() != 0x3a) {
      this.fail(this.peek() < 0 ? "EOF while parsing an object" : "expected `:`");
      return null;
    }
    this.pos++;
    this.count++;
    return key;
  }

  /** One member's value of the top-level object, building at most `budget` values. */
  member(budget: i32): Json {
    this.budget = budget;
    this.overflowed = false;
    return this.value(1);
  }

  /** After the top-level value: only whitespace may follow. */
  finish(): void {
    if (this.failed) return;
    this.skipSpace();
    if (this.pos < this.len) this.fail("trailing characters");
  }

  /** Reads one value inside `depth` containers. On an error, answers SKIPPED with `failed` set. */
  value(depth: i32): Json {
    this.skipSpace();
    if (this.budget > 0) {
      this.budget--;
    } else {
      this.overflowed = true;
    }
    const build = !this.overflowed;
    const byte = this.peek();
    if (byte == 0x7b) return this.object(depth + 1, build);
    if (byte == 0x5b) return this.array(depth + 1, build);
    if (byte == 0x22) {
      const text = this.string(build);
      return build && !this.failed ? stringValue(text) : SKIPPED;
    }
    if (byte == 0x74) return this.literal("true", Kind.Bool, true, build);
    if (byte == 0x66) return this.literal("false", Kind.Bool, false, build);
    if (byte == 0x6e) return this.literal("null", Kind.Null, false, build);
    if (byte == 0x2d || (byte >= 0x30 && byte <= 0x39)) return this.number(build);
    this.fail(byte < 0 ? "EOF while parsing a value" : "expected value");
    return SKIPPED;
  }

  private object(depth: i32, build: bool): Json {
    this.pos++;
    if (depth > MAX_NESTING) {
      this.fail("recursion limit exceeded");
      return SKIPPED;
    }
    // Past the budget nothing is built, not even the container.
    const members: Map<string, Json> | null = build ? new Map<string, Json>() : null;
    this.skipSpace();
    if (this.peek() == 0x7d) {
      this.pos++;
      return members !== null ? objectValue(members) : SKIPPED;
    }
    while (true) {
      this.skipSpace();
      if (this.peek() != 0x22) {
        this.fail(this.peek() < 0 ? "EOF while parsing an object" : "key must be a string");
        return SKIPPED;
      }
      const key = this.string(build && !this.overflowed);
      if (this.failed) return SKIPPED;
      this.skipSpace();
      if (this.peek() != 0x3a) {
        this.fail(this.peek() < 0 ? "EOF while parsing an object" : "expected `:`");
        return SKIPPED;
      }
      this.pos++;
      const member = this.value(depth);
      if (this.failed) return SKIPPED;
      // A repeated key: the last value wins, as in serde_json's map.
      if (members !== null && !this.overflowed) members.set(key, member);
      this.skipSpace();
      const byte = this.peek();
      this.pos++;
      if (byte == 0x2c) continue;
      if (byte == 0x7d) return members !== null ? objectValue(members) : SKIPPED;
      this.pos--;
      this.fail(byte < 0 ? "EOF while parsing an object" : "expected `,` or `}`");
      return SKIPPED;
    }
  }

  private array(depth: i32, build: bool): Json {
    this.pos++;
    if (depth > MAX_NESTING) {
      this.fail("recursion limit exceeded");
      return SKIPPED;
    }
    const items: Array<Json> | null = build ? new Array<Json>() : null;
    this.skipSpace();
    if (this.peek() == 0x5d) {
      this.pos++;
      return items !== null ? arrayValue(items) : SKIPPED;
    }
    while (true) {
      const item = this.value(depth);
      if (this.failed) return SKIPPED;
      if (items !== null && !this.overflowed) items.push(item);
      this.skipSpace();
      const byte = this.peek();
      this.pos++;
      if (byte == 0x2c) continue;
      if (byte == 0x5d) return items !== null ? arrayValue(items) : SKIPPED;
      this.pos--;
      this.fail(byte < 0 ? "EOF while parsing a list" : "expected `,` or `]`");
      return SKIPPED;
    }
  }

  private literal(word: string, kind: Kind, flag: bool, build: bool): Json {
    for (let index = 0; index < word.length; index++) {
      if (this.peek() != word.charCodeAt(index)) {
        this.fail(this.peek() < 0 ? "EOF while parsing a value" : "expected ident");
        return SKIPPED;
      }
      this.pos++;
    }
    if (!build) return SKIPPED;
    const value = new Json(kind);
    value.flag = flag;
    return value;
  }

  private digits(): i32 {
    let count = 0;
    while (true) {
      const byte = this.peek();
      if (byte < 0x30 || byte > 0x39) return count;
      this.pos++;
      count++;
    }
  }

  private number(build: bool): Json {
    const start = this.pos;
    if (this.peek() == 0x2d) this.pos++;
    const first = this.peek();
    if (first == 0x30) {
      this.pos++;
    } else if (this.digits() == 0) {
      this.fail("invalid number");
      return SKIPPED;
    }
    if (this.peek() == 0x2e) {
      this.pos++;
      if (this.digits() == 0) {
        this.fail("invalid number");
        return SKIPPED;
      }
    }
    const exponent = this.peek();
    if (exponent == 0x65 || exponent == 0x45) {
      this.pos++;
      const sign = this.peek();
      if (sign == 0x2b || sign == 0x2d) this.pos++;
      if (this.digits() == 0) {
        this.fail("invalid number");
        return SKIPPED;
      }
    }
    if (!build) return SKIPPED;
    const text = String.UTF8.decodeUnsafe(this.ptr + <usize>start, <usize>(this.pos - start));
    if (!isFinite(parseFloat(text))) {
      this.fail("number out of range");
      return SKIPPED;
    }
    const value = new Json(Kind.Number);
    value.text = text;
    return value;
  }

  /** Reads a string at its opening quote; "" when not building or on an error. */
  string(build: bool): string {
    this.pos++;
    let parts: Array<string> | null = null;
    let start = this.pos;
    while (true) {
      if (this.pos >= this.len) {
        this.fail("EOF while parsing a string");
        return "";
      }
      const byte = <i32>load<u8>(this.ptr + <usize>this.pos);
      if (byte == 0x22) {
        let text = "";
        if (build) {
          const tail = this.slice(start, this.pos);
          if (parts === null) {
            text = tail;
          } else {
            parts.push(tail);
            text = joined(parts);
          }
        }
        this.pos++;
        return text;
      }
      if (byte == 0x5c) {
        if (build) {
          if (parts === null) parts = new Array<string>();
          parts.push(this.slice(start, this.pos));
        }
        this.pos++;
        const unit = this.escape(build);
        if (this.failed) return "";
        if (build) parts!.push(unit);
        start = this.pos;
        continue;
      }
      if (byte < 0x20) {
        this.fail("control character (\\u0000-\\u001F) found while parsing a string");
        return "";
      }
      if (byte < 0x80) {
        this.pos++;
        continue;
      }
      if (!this.utf8()) {
        this.fail("invalid UTF-8 in a string");
        return "";
      }
    }
  }

  /** Bytes `start..end` of the input, which the reader checked are UTF-8. */
  private slice(start: i32, end: i32): string {
    if (end <= start) return "";
    return String.UTF8.decodeUnsafe(this.ptr + <usize>start, <usize>(end - start));
  }

  /** One escape, after its backslash. */
  private escape(build: bool): string {
    const byte = this.peek();
    if (byte < 0) {
      this.fail("EOF while parsing a string");
      return "";
    }
    this.pos++;
    switch (byte) {
      case 0x22:
        return "\"";
      case 0x5c:
        return "\\";
      case 0x2f:
        return "/";
      case 0x62:
        return "\b";
      case 0x66:
        return "\f";
      case 0x6e:
        return "\n";
      case 0x72:
        return "\r";
      case 0x74:
        return "\t";
      case 0x75: {
        const unit = this.hex4();
        if (this.failed) return "";
        if (unit >= 0xd800 && unit <= 0xdbff) {
          if (this.peek() != 0x5c || this.pos + 1 >= this.len || load<u8>(this.ptr + <usize>this.pos + 1) != 0x75) {
            this.fail("lone leading surrogate in hex escape");
            return "";
          }
          this.pos += 2;
          const trail = this.hex4();
          if (this.failed) return "";
          if (trail < 0xdc00 || trail > 0xdfff) {
            this.fail("lone leading surrogate in hex escape");
            return "";
          }
          return build ? String.fromCharCode(unit, trail) : "";
        }
        if (unit >= 0xdc00 && unit <= 0xdfff) {
          this.fail("lone trailing surrogate in hex escape");
          return "";
        }
        return build ? String.fromCharCode(unit) : "";
      }
      default:
        this.pos--;
        this.fail("invalid escape");
        return "";
    }
  }

  private hex4(): i32 {
    let unit = 0;
    for (let index = 0; index < 4; index++) {
      const byte = this.peek();
      let digit = -1;
      if (byte >= 0x30 && byte <= 0x39) digit = byte - 0x30;
      else if (byte >= 0x61 && byte <= 0x66) digit = byte - 0x61 + 10;
      else if (byte >= 0x41 && byte <= 0x46) digit = byte - 0x41 + 10;
      if (digit < 0) {
        this.fail(byte < 0 ? "EOF while parsing a string" : "invalid escape");
        return 0;
      }
      unit = (unit << 4) | digit;
      this.pos++;
    }
    return unit;
  }

  /** Checks one UTF-8 sequence of two to four bytes at the reading position and steps over it. */
  private utf8(): bool {
    const at = this.ptr + <usize>this.pos;
    const left = this.len - this.pos;
    const lead = <u32>load<u8>(at);
    let length = 0;
    let low: u32 = 0x80;
    let high: u32 = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead == 0xe0) low = 0xa0;
      if (lead == 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead == 0xf0) low = 0x90;
      if (lead == 0xf4) high = 0x8f;
    } else {
      return false;
    }
    if (left < length) return false;
    const second = <u32>load<u8>(at + 1);
    if (second < low || second > high) return false;
    for (let index = 2; index < length; index++) {
      const next = <u32>load<u8>(at + <usize>index);
      if (next < 0x80 || next > 0xbf) return false;
    }
    this.pos += length;
    return true;
  }
}

// ---------------------------------------------------------------- writing

/** Writes JSON text as parts, joined once at the end. */
export class Writer {
  parts: Array<string> = new Array<string>();

  raw(text: string): Writer {
    this.parts.push(text);
    return this;
  }

  /** `text` as a JSON string, escaped as serde_json escapes. */
  string(text: string): Writer {
    this.parts.push("\"");
    let start = 0;
    for (let index = 0; index < text.length; index++) {
      const unit = text.charCodeAt(index);
      if (unit >= 0x20 && unit != 0x22 && unit != 0x5c) continue;
      if (index > start) this.parts.push(text.substring(start, index));
      this.parts.push(escapeUnit(unit));
      start = index + 1;
    }
    if (start == 0) {
      this.parts.push(text);
    } else if (start < text.length) {
      this.parts.push(text.substring(start));
    }
    this.parts.push("\"");
    return this;
  }

  /** A value in canonical form: object members sorted by key. */
  value(value: Json): Writer {
    switch (value.kind) {
      case Kind.Null:
        return this.raw("null");
      case Kind.Bool:
        return this.raw(value.flag ? "true" : "false");
      case Kind.Number:
        return this.raw(value.text);
      case Kind.String:
        return this.string(value.text);
      case Kind.Array: {
        const items = value.items!;
        this.raw("[");
        for (let index = 0; index < items.length; index++) {
          if (index > 0) this.raw(",");
          this.value(unchecked(items[index]));
        }
        return this.raw("]");
      }
      default: {
        const members = value.members!;
        const keys = members.keys();
        keys.sort(compareText);
        this.raw("{");
        for (let index = 0; index < keys.length; index++) {
          const key = unchecked(keys[index]);
          if (index > 0) this.raw(",");
          this.string(key).raw(":").value(members.get(key));
        }
        return this.raw("}");
      }
    }
  }

  text(): string {
    return joined(this.parts);
  }
}

function escapeUnit(unit: i32): string {
  switch (unit) {
    case 0x22:
      return "\\\"";
    case 0x5c:
      return "\\\\";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    default:
      return "\\u00" + (unit < 0x10 ? "0" : "") + unit.toString(16);
  }
}

/** A value as compact JSON text. */
export function toText(value: Json): string {
  return new Writer().value(value).text();
}

/** The longest value a message quotes, in UTF-16 units; longer ones are cut with `…`. */
const PREVIEW: i32 = 120;

/** A value as compact JSON text for a message, cut to a readable length. */
export function preview(value: Json): string {
  return cut(toText(value));
}

/** `text`, cut to a readable length for a message. */
export function cut(text: string): string {
  if (text.length <= PREVIEW) return text;
  let end = PREVIEW;
  // Never split a surrogate pair.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.substring(0, end) + "…";
}
