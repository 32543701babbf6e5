// `LiveContract`: a served contract (`GET /contracts/{id}`) with its module
// loaded, that follows the server. Every answer that ran a module names it
// in the `Pactum-Module` header (docs/http-api.md); an answer naming another
// module than the one loaded makes this fetch the contract again, load the
// new module (its bytes checked against the contract's `moduleSha256`),
// swap it in for the evaluations that follow, and dispatch `modulechange`.
// Evaluations already running finish on the instance they started on,
// which is closed once the last of them is done.

import { ModuleError, ModuleHashError } from "./errors.js";
import { Pactum } from "./pactum.js";
import type { LoadOptions, LoadTimings } from "./pactum.js";
import type { Call, FieldError, Json, JsonObject, Outcome, Request } from "./types.js";
import { resolveUrl } from "./url.js";
import type { BaseUrl } from "./url.js";

/** The header naming the module that decided an answer: its hex SHA-256. */
export const MODULE_HEADER = "Pactum-Module";

/** `GET /contracts/{id}`. */
export interface ContractDocument {
  id: string;
  schema: JsonObject;
  /** Hex SHA-256 of the contract's module file. */
  moduleSha256: string;
  /** Where the module file is served (`/modules/{sha256}.wasm`), relative to the server. */
  moduleUrl: string;
  /** The wasm-bindgen glue of the built-in module; absent for plugins. */
  bindings?: string;
  module?: "builtin" | "plugin";
}

export interface LiveContractOptions extends Omit<LoadOptions, "moduleUrl" | "bytes" | "sha256" | "contract" | "reference" | "warmup" | "baseUrl"> {
  /** The contract's id: the document is `new URL("/contracts/{id}", baseUrl)`, loaded under this reference. */
  id: string;
  /**
   * The Pactum server, e.g. `"https://pactum.example"`: the contract
   * document, its module and the relative URLs given to `live.fetch` are
   * resolved against it. By default the page's own location; node has
   * none, so there it is needed.
   */
  baseUrl?: BaseUrl;
  /** @deprecated the former name of `baseUrl`. */
  base?: string;
  /** Warm-up requests (see `LoadOptions.warmup`), or a function answering them for each contract document loaded. */
  warmup?: Request[] | ((contract: ContractDocument) => Request[]);
  /** Called after each swap, like a `modulechange` listener. */
  onModuleChange?: (event: ModuleChangeEvent) => void;
  /** Called when a new module could not be loaded, like a `moduleerror` listener. */
  onModuleError?: (event: ModuleErrorEvent) => void;
}

/** `modulechange`: the server runs another module, and the following evaluations use it. */
export class ModuleChangeEvent extends Event {
  constructor(
    /** Hex SHA-256 of the module that was in use. */
    readonly previousSha256: string,
    /** Hex SHA-256 of the module now in use. */
    readonly sha256: string,
    /** The contract document as fetched again (its schema may have changed too). */
    readonly contract: ContractDocument,
    /** The contract document before. */
    readonly previousContract: ContractDocument,
  ) {
    super("modulechange");
  }
}

/** `moduleerror`: an answer named another module, and it could not be fetched, verified or loaded. The module in use stays. */
export class ModuleErrorEvent extends Event {
  constructor(
    /** The `Pactum-Module` value that asked for the reload, or `null` for `reload()`. */
    readonly requested: string | null,
    /** What failed: a `ModuleHashError`, a `ModuleError`, or a network error. */
    readonly error: unknown,
  ) {
    super("moduleerror");
  }
}

export interface LiveContractEventMap {
  modulechange: ModuleChangeEvent;
  moduleerror: ModuleErrorEvent;
}

export interface LiveContract {
  addEventListener<K extends keyof LiveContractEventMap>(
    type: K,
    listener: (this: LiveContract, event: LiveContractEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof LiveContractEventMap>(
    type: K,
    listener: (this: LiveContract, event: LiveContractEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

// The interface above merges into the class: typed `addEventListener`.
export class LiveContract extends EventTarget {
  private pactumNow: Pactum;
  private document: ContractDocument;
  private closed = false;
  /** The reload under way, and the header value it answers. */
  private reloading: { requested: string | null; done: Promise<boolean> } | null = null;
  /**
   * Header values not to reload for again: the contract document named
   * another module, or that module's bytes were refused (hash, compile,
   * ABI). Network failures are not remembered, so the next answer retries.
   */
  private readonly settled = new Set<string>();
  /** Evaluations running, per instance; an instance swapped out is closed when its count reaches zero. */
  private readonly running = new Map<Pactum, number>();
  private readonly retired = new Set<Pactum>();

  private constructor(
    private readonly options: LiveContractOptions,
    document: ContractDocument,
    pactum: Pactum,
  ) {
    super();
    this.document = document;
    this.pactumNow = pactum;
    const { onModuleChange, onModuleError } = options;
    if (onModuleChange) this.addEventListener("modulechange", (event) => onModuleChange(event));
    if (onModuleError) this.addEventListener("moduleerror", (event) => onModuleError(event));
  }

  /** Fetches `/contracts/{id}`, loads its module (checking its hash) with the contract loaded under the id. */
  static async open(options: LiveContractOptions): Promise<LiveContract> {
    const fetched = await fetchContract(options);
    return new LiveContract(options, fetched.document, await loadModule(fetched, options));
  }

  /** The contract's id. */
  get id(): string {
    return this.options.id;
  }

  /** The contract document the module in use came with. */
  get contract(): ContractDocument {
    return this.document;
  }

  /** The instance the next evaluation runs on. */
  get pactum(): Pactum {
    return this.pactumNow;
  }

  /** Hex SHA-256 of the module in use. */
  get sha256(): string {
    return this.pactumNow.sha256;
  }

  get timings(): LoadTimings {
    return this.pactumNow.timings;
  }

  /** `Pactum.evaluate` on the module in use. */
  evaluate(request: Request): Promise<Outcome> {
    return this.use((pactum) => pactum.evaluate(request));
  }

  /** `Pactum.evaluateCall` on the module in use. */
  evaluateCall(call: Call): Promise<Outcome> {
    return this.use((pactum) => pactum.evaluateCall(call));
  }

  /** `Pactum.checkField` on the module in use. */
  checkField(current: JsonObject | null, pointer: string, value: Json, context?: Request["context"]): Promise<FieldError[]> {
    return this.use((pactum) => pactum.checkField(current, pointer, value, context));
  }

  /**
   * Looks at a server answer (or its headers, or a `Pactum-Module` value):
   * when it names another module than the one in use, reloads. Resolves
   * `true` once a new module is in use, `false` when nothing changed;
   * failures never reject, they are `moduleerror` events.
   */
  observe(answer: Response | Headers | string | null | undefined): Promise<boolean> {
    const requested = moduleHash(answer);
    if (requested === null || requested === this.sha256 || this.settled.has(requested) || this.closed) return Promise.resolve(false);
    const reloading = this.reloading;
    if (reloading) {
      if (reloading.requested === requested) return reloading.done;
      // One reload at a time: look again once this one is done.
      return reloading.done.then(() => this.observe(requested));
    }
    return this.startReload(requested);
  }

  /** The server's URL the SDK resolves paths against (`baseUrl`), or `undefined` for the page's location. */
  get baseUrl(): BaseUrl | undefined {
    return baseUrlOf(this.options);
  }

  /**
   * `fetch`, then `observe` the answer (not waiting for a reload). A string
   * or `URL` is resolved against `baseUrl`, so `live.fetch("/userentity/...")`
   * reaches the server from node and from pages on other origins alike.
   */
  async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const target = typeof input === "string" || input instanceof URL ? resolveUrl(input, this.baseUrl, "LiveContract.fetch") : input;
    const response = await fetch(target, init);
    void this.observe(response);
    return response;
  }

  /** Fetches the contract again and swaps its module in if it is another one. Resolves `true` if it was. */
  reload(): Promise<boolean> {
    return this.reloading ? this.reloading.done.then(() => this.reload()) : this.startReload(null);
  }

  /** Ends the module's worker (running evaluations first finish). The object cannot be used afterwards. */
  close(): void {
    this.closed = true;
    this.retire(this.pactumNow);
  }

  private startReload(requested: string | null): Promise<boolean> {
    const done = this.swap(requested).finally(() => {
      if (this.reloading?.done === done) this.reloading = null;
    });
    this.reloading = { requested, done };
    return done;
  }

  private async swap(requested: string | null): Promise<boolean> {
    let document: ContractDocument;
    let pactum: Pactum;
    try {
      const fetched = await fetchContract(this.options);
      document = fetched.document;
      if (document.moduleSha256 === this.sha256) {
        // The server's contract still names the module in use (an answer
        // from a host not yet updated, or a rewritten header): nothing to swap.
        if (requested !== null) this.settled.add(requested);
        return false;
      }
      if (requested !== null && document.moduleSha256 !== requested) this.settled.add(requested);
      pactum = await loadModule(fetched, this.options);
    } catch (error) {
      if (requested !== null && (error instanceof ModuleHashError || error instanceof ModuleError)) this.settled.add(requested);
      this.dispatchEvent(new ModuleErrorEvent(requested, error));
      return false;
    }
    if (this.closed) {
      pactum.close();
      return false;
    }
    const previous = this.pactumNow;
    const previousContract = this.document;
    this.pactumNow = pactum;
    this.document = document;
    this.retire(previous);
    this.dispatchEvent(new ModuleChangeEvent(previous.sha256, pactum.sha256, document, previousContract));
    return true;
  }

  /** Runs `run` on the instance in use now, which stays open until it is done. */
  private async use<T>(run: (pactum: Pactum) => Promise<T>): Promise<T> {
    const pactum = this.pactumNow;
    this.running.set(pactum, (this.running.get(pactum) ?? 0) + 1);
    try {
      return await run(pactum);
    } finally {
      const left = (this.running.get(pactum) ?? 1) - 1;
      if (left > 0) {
        this.running.set(pactum, left);
      } else {
        this.running.delete(pactum);
        if (this.retired.delete(pactum)) pactum.close();
      }
    }
  }

  private retire(pactum: Pactum): void {
    if (this.running.has(pactum)) this.retired.add(pactum);
    else pactum.close();
  }
}

/** The `Pactum-Module` value of an answer, lowercased; `null` without one. */
export function moduleHash(answer: Response | Headers | string | null | undefined): string | null {
  if (answer === null || answer === undefined) return null;
  const value = typeof answer === "string" ? answer : (answer instanceof Headers ? answer : answer.headers).get(MODULE_HEADER);
  const trimmed = value?.trim().toLowerCase();
  return trimmed ? trimmed : null;
}

function baseUrlOf(options: LiveContractOptions): BaseUrl | undefined {
  return options.baseUrl ?? (options.base ? options.base : undefined);
}

/** A contract document, and the absolute URL it came from (its `moduleUrl` is resolved against that). */
interface Fetched {
  document: ContractDocument;
  url: URL;
}

async function fetchContract(options: LiveContractOptions): Promise<Fetched> {
  const url = resolveUrl(`/contracts/${encodeURIComponent(options.id)}`, baseUrlOf(options), "LiveContract.open");
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`GET ${url.href}: HTTP ${response.status}`);
  return { document: (await response.json()) as ContractDocument, url };
}

function loadModule({ document, url }: Fetched, options: LiveContractOptions): Promise<Pactum> {
  const { base: _base, baseUrl: _baseUrl, warmup, id, onModuleChange: _change, onModuleError: _error, ...load } = options;
  return Pactum.load({
    ...load,
    moduleUrl: document.moduleUrl,
    baseUrl: url,
    sha256: document.moduleSha256,
    contract: document.schema,
    reference: id,
    warmup: typeof warmup === "function" ? warmup(document) : warmup,
  });
}
