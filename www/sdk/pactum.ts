// `Pactum`: one contract module, loaded once, evaluating calls exactly as
// the server's wasmtime host does (same bytes, same plain ABI, same JSON).

import { ModuleError, ModuleHashError } from "./errors.js";
import { InlineRunner, WorkerRunner } from "./runner.js";
import type { Runner } from "./runner.js";
import { DEFAULT_BUDGET } from "./types.js";
import type { Budget, Call, FieldError, Json, JsonObject, Outcome, Request } from "./types.js";
import { resolveUrl } from "./url.js";
import type { BaseUrl } from "./url.js";

export interface LoadOptions {
  /**
   * Where to fetch the module (e.g. a contract document's `moduleUrl`,
   * `/modules/{sha256}.wasm`), resolved against `baseUrl`; or give `bytes`.
   */
  moduleUrl?: string | URL;
  /**
   * The Pactum server a relative `moduleUrl` is resolved against
   * (`new URL(moduleUrl, baseUrl)`), e.g. `"https://pactum.example"`. By
   * default the page's own location; node has none, so there a relative
   * `moduleUrl` needs it.
   */
  baseUrl?: BaseUrl;
  /** The module file itself. */
  bytes?: ArrayBuffer | ArrayBufferView;
  /**
   * The hex SHA-256 the module file must have (e.g. the contract's
   * `moduleSha256`): other bytes fail the load with `ModuleHashError`
   * before anything is compiled.
   */
  sha256?: string;
  /** A contract to load once (`pactum_load`); `evaluate` then calls it by reference. */
  contract?: JsonObject | boolean;
  /** The reference the contract is loaded under (default `"contract"`). */
  reference?: string;
  /** Limits per call; missing members take the host's defaults. */
  budget?: Partial<Budget>;
  /** `"worker"` (default where `Worker` exists) or `"inline"` (same thread, no deadline). */
  isolation?: "worker" | "inline";
  /** The worker script; by default `worker.js` beside this file. */
  workerUrl?: URL;
  /** For tests and servers: the date a call's `context.today` defaults to. */
  today?: () => string;
  /**
   * Requests evaluated once right after loading, answers dropped: a first
   * mobile number makes the built-in module load libphonenumber's metadata
   * (a few ms, the costliest call of an instance) before the first
   * keystroke does.
   */
  warmup?: Request[];
}

/** How long loading took, in milliseconds. */
export interface LoadTimings {
  fetch: number;
  /** SHA-256 of the bytes (`crypto.subtle`), for the `Pactum-Module` comparison. */
  hash: number;
  compile: number;
  /** Instantiate, check the ABI version and load the contract (in the worker, spawn included). */
  init: number;
  /** The `warmup` requests. */
  warmup: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Today's date in UTC, as the server sets `context.today`. */
export function utcToday(): string {
  return new Date().toISOString().slice(0, 10);
}

export class Pactum {
  private constructor(
    private readonly runner: Runner,
    /** Hex SHA-256 of the module file: compare with the `Pactum-Module` header. */
    readonly sha256: string,
    /** The reference `evaluate` calls, or `null` when no contract was loaded. */
    readonly reference: string | null,
    readonly timings: LoadTimings,
    private readonly today: () => string,
  ) {}

  /** Fetches (or takes), compiles and instantiates a module, and loads the contract. */
  static async load(options: LoadOptions): Promise<Pactum> {
    const fetchStart = performance.now();
    const bytes = await moduleBytes(options);
    const hashStart = performance.now();
    const sha256 = await hexSha256(bytes);
    if (options.sha256 !== undefined && options.sha256.toLowerCase() !== sha256) throw new ModuleHashError(options.sha256, sha256);
    const compileStart = performance.now();
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(bytes);
    } catch (error) {
      throw new ModuleError("compile", error instanceof Error ? error.message : String(error));
    }
    const initStart = performance.now();
    const budget: Budget = { ...DEFAULT_BUDGET, ...options.budget };
    const reference = options.contract === undefined ? null : (options.reference ?? "contract");
    const load =
      options.contract === undefined ? null : encoder.encode(JSON.stringify({ contractRef: reference, contract: options.contract }));
    const isolation = options.isolation ?? (typeof Worker === "function" ? "worker" : "inline");
    const runner =
      isolation === "worker"
        ? new WorkerRunner(module, budget, load, options.workerUrl ?? new URL("./worker.js", import.meta.url))
        : new InlineRunner(module, budget, load);
    await runner.start();
    const warmupStart = performance.now();
    const timings = { fetch: hashStart - fetchStart, hash: compileStart - hashStart, compile: initStart - compileStart, init: warmupStart - initStart, warmup: 0 };
    const pactum = new Pactum(runner, sha256, reference, timings, options.today ?? utcToday);
    for (const request of options.warmup ?? []) {
      // A failed warm-up only costs its instance; the next call starts another.
      await pactum.evaluate(request).catch(() => undefined);
    }
    timings.warmup = performance.now() - warmupStart;
    return pactum;
  }

  /** Evaluates a request against the loaded contract: the `Outcome` the server's module would answer. */
  async evaluate(request: Request): Promise<Outcome> {
    if (this.reference === null) throw new Error("no contract was loaded: pass `contract` to Pactum.load, or use evaluateCall");
    return this.evaluateCall({ contractRef: this.reference, ...request });
  }

  /** Evaluates a whole `Call` (with its own `contract`, or a `contractRef`). */
  async evaluateCall(call: Call): Promise<Outcome> {
    const context = { today: this.today(), ...call.context };
    const output = await this.evaluateJson(encoder.encode(JSON.stringify({ ...call, context })));
    return parseOutcome(output);
  }

  /** The raw door: call JSON bytes in, outcome JSON bytes out, exactly as the module wrote them. */
  async evaluateJson(call: Uint8Array | string): Promise<Uint8Array> {
    return this.runner.evaluate(typeof call === "string" ? encoder.encode(call) : call.slice());
  }

  /**
   * The errors one field would get if only it changed to `value`: an update
   * whose payload sets the field at `pointer` (nested pointers build nested
   * objects). Errors at the pointer and below it are answered.
   */
  async checkField(current: JsonObject | null, pointer: string, value: Json, context?: Request["context"]): Promise<FieldError[]> {
    const outcome = await this.evaluate({ operation: "update", current, payload: payloadAt(pointer, value), context });
    const errors = outcome.type === "decision" ? outcome.errors : outcome.problems;
    return errors.filter((error) => error.pointer === pointer || error.pointer.startsWith(`${pointer}/`));
  }

  /** Ends the worker. The object cannot be used afterwards. */
  close(): void {
    this.runner.close();
  }
}

/** Errors grouped by JSON Pointer, for putting each under its field. */
export function errorsByPointer(outcome: Outcome): Map<string, FieldError[]> {
  const errors = outcome.type === "decision" ? outcome.errors : outcome.problems;
  const grouped = new Map<string, FieldError[]>();
  for (const error of errors) {
    const list = grouped.get(error.pointer) ?? [];
    list.push(error);
    grouped.set(error.pointer, list);
  }
  return grouped;
}

/** `{"a": {"b": value}}` for `/a/b` (RFC 6901 unescaping). */
export function payloadAt(pointer: string, value: Json): Json {
  if (pointer === "") return value;
  const tokens = pointer
    .slice(1)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
  return tokens.reduceRight<Json>((inner, token) => ({ [token]: inner }), value);
}

function parseOutcome(output: Uint8Array): Outcome {
  let outcome: unknown;
  try {
    outcome = JSON.parse(decoder.decode(output));
  } catch {
    throw new ModuleError("malformed_output", "the outcome is not JSON");
  }
  const type = typeof outcome === "object" && outcome !== null ? (outcome as { type?: unknown }).type : undefined;
  if (type === "decision" || type === "failure") return outcome as Outcome;
  throw new ModuleError("malformed_output", "the outcome is neither a `decision` nor a `failure`");
}

async function moduleBytes(options: LoadOptions): Promise<ArrayBuffer> {
  if (options.bytes) {
    const view = ArrayBuffer.isView(options.bytes) ? options.bytes : new Uint8Array(options.bytes);
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice().buffer;
  }
  if (!options.moduleUrl) throw new Error("Pactum.load needs `moduleUrl` or `bytes`");
  const url = resolveUrl(options.moduleUrl, options.baseUrl, "Pactum.load moduleUrl");
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fetching the module ${url.href}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** The hex SHA-256 of some bytes (`crypto.subtle`), as `Pactum-Module` and `moduleSha256` spell it. */
export async function hexSha256(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await (await subtleCrypto()).digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Web Crypto: the global one (browsers, node 19+), else node 18's
 * `node:crypto` `webcrypto` (the global exists there only in the REPL and
 * under `--experimental-global-webcrypto`).
 */
async function subtleCrypto(): Promise<SubtleCrypto> {
  const global = (globalThis as { crypto?: Crypto }).crypto;
  if (global?.subtle) return global.subtle;
  // Not a literal, so that bundlers for the browser leave it alone.
  const nodeCrypto = "node:crypto";
  try {
    const { webcrypto } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ nodeCrypto)) as { webcrypto?: Crypto };
    if (webcrypto?.subtle) return webcrypto.subtle;
  } catch {
    // not node
  }
  throw new Error("no Web Crypto (`crypto.subtle`) to hash the module with: a page needs a secure context (https, or http on localhost)");
}
