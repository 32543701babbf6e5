// The shared error catalogue (core/src/catalogue.rs): the browser shows a
// field's error in the words the server's answers use, keyed by code.

import type { FieldError } from "./types.js";
import { resolveUrl } from "./url.js";
import type { BaseUrl } from "./url.js";

export interface CatalogueEntry {
  code: string;
  status: number;
  /** Stable key for translations, e.g. `mobile.invalid`. */
  key: string;
  /** Default English message: lowercase, no final period. */
  message: string;
}

/** One message to show under a field. */
export interface FieldMessage {
  pointer: string;
  code: string;
  /** The catalogue's words for the code (translated when the key is), or the engine's own for generic codes. */
  text: string;
  /** The engine's message, which names the value and the rule. */
  detail: string;
}

export interface CatalogueFetchOptions {
  /** The Pactum server, e.g. `"https://pactum.example"`; by default the page's own location. */
  baseUrl?: BaseUrl;
  /** The catalogue's URL, resolved against `baseUrl` (default `/catalogue`). */
  url?: string | URL;
  /** Messages by catalogue key, replacing the English defaults. */
  translations?: Record<string, string>;
}

export interface CatalogueBindingsOptions {
  /** The wasm-bindgen glue (a contract document's `bindings`, e.g. `/pkg/pactum_wasm.js`), resolved against `baseUrl`. */
  bindings: string | URL;
  /** The module the glue loads (the document's `moduleUrl`), resolved against `baseUrl`. */
  moduleUrl: string | URL;
  /** The Pactum server; by default the page's own location. */
  baseUrl?: BaseUrl;
  translations?: Record<string, string>;
}

/** Codes whose catalogue words say nothing about the field, so the engine's own message is shown. */
const GENERIC = new Set(["400", "422.1", "422.2"]);

export class Catalogue {
  private readonly byCode: Map<string, CatalogueEntry>;

  /**
   * @param translations messages by catalogue key, replacing the English defaults.
   */
  constructor(
    entries: readonly CatalogueEntry[],
    private readonly translations: Readonly<Record<string, string>> = {},
  ) {
    this.byCode = new Map(entries.map((entry) => [entry.code, entry]));
  }

  /**
   * The server's catalogue (`GET /catalogue`): `Catalogue.fetch({ baseUrl })`.
   * The older form `Catalogue.fetch(url, translations)` takes the URL itself.
   */
  static fetch(options?: CatalogueFetchOptions): Promise<Catalogue>;
  static fetch(url: string | URL, translations?: Record<string, string>): Promise<Catalogue>;
  static async fetch(
    options: CatalogueFetchOptions | string | URL = {},
    translations?: Record<string, string>,
  ): Promise<Catalogue> {
    const { baseUrl, url = "/catalogue", translations: words = translations } =
      typeof options === "string" || options instanceof URL ? { url: options } : options;
    const resolved = resolveUrl(url, baseUrl, "Catalogue.fetch");
    const response = await fetch(resolved);
    if (!response.ok) throw new Error(`fetching the catalogue ${resolved.href}: HTTP ${response.status}`);
    return new Catalogue((await response.json()) as CatalogueEntry[], words);
  }

  /**
   * The built-in module's own copy, through its wasm-bindgen glue
   * (`bindings` of `GET /contracts/{id}`), for pages that run without the
   * server's `/catalogue`. The glue is imported as a module: a browser
   * (or another runtime that imports `http:` modules), not node.
   */
  static fromBindings(options: CatalogueBindingsOptions): Promise<Catalogue>;
  static fromBindings(bindingsUrl: string | URL, moduleUrl: string | URL, translations?: Record<string, string>): Promise<Catalogue>;
  static async fromBindings(
    options: CatalogueBindingsOptions | string | URL,
    moduleUrl?: string | URL,
    translations?: Record<string, string>,
  ): Promise<Catalogue> {
    const given: CatalogueBindingsOptions =
      typeof options === "string" || options instanceof URL ? { bindings: options, moduleUrl: moduleUrl ?? "", translations } : options;
    const glueUrl = resolveUrl(given.bindings, given.baseUrl, "Catalogue.fromBindings bindings");
    const wasmUrl = resolveUrl(given.moduleUrl, given.baseUrl, "Catalogue.fromBindings moduleUrl");
    const glue = (await import(/* @vite-ignore */ /* webpackIgnore: true */ glueUrl.href)) as {
      default(options: { module_or_path: string | URL }): Promise<unknown>;
      catalogue(): CatalogueEntry[];
    };
    await glue.default({ module_or_path: wasmUrl });
    return new Catalogue(glue.catalogue(), given.translations);
  }

  entry(code: string): CatalogueEntry | undefined {
    return this.byCode.get(code);
  }

  /** The message for a code: translated, else the catalogue's, else the code itself. */
  message(code: string): string {
    const entry = this.byCode.get(code);
    if (!entry) return code;
    return this.translations[entry.key] ?? entry.message;
  }

  /** A field error as a person reads it. */
  fieldMessage(error: FieldError): FieldMessage {
    const known = this.byCode.has(error.code) && !GENERIC.has(error.code);
    return { pointer: error.pointer, code: error.code, text: known ? this.message(error.code) : error.message, detail: error.message };
  }

  /** Messages grouped by pointer, in the order given. */
  fieldMessages(errors: readonly FieldError[]): Map<string, FieldMessage[]> {
    const grouped = new Map<string, FieldMessage[]>();
    for (const error of errors) {
      const list = grouped.get(error.pointer) ?? [];
      list.push(this.fieldMessage(error));
      grouped.set(error.pointer, list);
    }
    return grouped;
  }
}
