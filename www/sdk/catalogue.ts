// The shared error catalogue (core/src/catalogue.rs): the browser shows a
// field's error in the words the server's answers use, keyed by code.

import type { FieldError } from "./types.js";
import { en } from "./words.js";
import type { MessageTable } from "./words.js";
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
  /** Messages by catalogue key, replacing the English defaults (e.g. `messages.da`). */
  translations?: Record<string, string>;
  /** The language a contract's own words (`x-pactum-message`) are picked in; default `"en"`. */
  language?: string;
}

export interface CatalogueBindingsOptions {
  /** The wasm-bindgen glue (a contract document's `bindings`, e.g. `/pkg/pactum_wasm.js`), resolved against `baseUrl`. */
  bindings: string | URL;
  /** The module the glue loads (the document's `moduleUrl`), resolved against `baseUrl`. */
  moduleUrl: string | URL;
  /** The Pactum server; by default the page's own location. */
  baseUrl?: BaseUrl;
  translations?: Record<string, string>;
  language?: string;
}

/** Codes whose catalogue words say nothing about the field, so the engine's own message is shown. */
const GENERIC = new Set(["400", "422.1", "422.2"]);

export class Catalogue {
  private readonly byCode: Map<string, CatalogueEntry>;

  /**
   * @param translations messages by key, replacing the English defaults (`messages.da`).
   * @param language the language of a contract's own words to prefer (`x-pactum-message`).
   */
  constructor(
    entries: readonly CatalogueEntry[],
    private readonly translations: Readonly<Record<string, string>> = {},
    private readonly language = "en",
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
    const { baseUrl, url = "/catalogue", translations: words = translations, language } =
      typeof options === "string" || options instanceof URL ? { url: options } : options;
    const resolved = resolveUrl(url, baseUrl, "Catalogue.fetch");
    const response = await fetch(resolved);
    if (!response.ok) throw new Error(`fetching the catalogue ${resolved.href}: HTTP ${response.status}`);
    return new Catalogue((await response.json()) as CatalogueEntry[], words, language);
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
    return new Catalogue(glue.catalogue(), given.translations, given.language);
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

  /**
   * A field error as a person reads it: the contract's own words for the
   * field (`x-pactum-message`, in this catalogue's language), else the
   * error's message key with its parameters (`schema.minLength`, `{limit}`)
   * in the translations or in English, else the code's words; a generic
   * code without a key (an older plugin) shows the engine's message.
   */
  fieldMessage(error: FieldError): FieldMessage {
    const text = customWords(error, this.language) ?? this.keyed(error) ?? this.coded(error);
    return { pointer: error.pointer, code: error.code, text, detail: error.message };
  }

  private keyed(error: FieldError): string | undefined {
    if (!error.key) return undefined;
    // A generic code's own key (`validation.failed`, which a plugin's errors
    // carry) says nothing about the field; the plugin's message does.
    if (GENERIC.has(error.code) && error.key === this.byCode.get(error.code)?.key) return undefined;
    const template = this.translations[error.key] ?? en[error.key];
    return template === undefined ? undefined : fill(template, error.params ?? {});
  }

  private coded(error: FieldError): string {
    const known = this.byCode.has(error.code) && !GENERIC.has(error.code);
    return known ? this.message(error.code) : error.message;
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

/** A contract's own words for a field (`params.message`): one text, or texts by language. */
function customWords(error: FieldError, language: string): string | undefined {
  const custom = error.params?.["message"];
  if (typeof custom === "string") return custom;
  if (custom && typeof custom === "object" && !Array.isArray(custom)) {
    const byLanguage = custom as Record<string, unknown>;
    const chosen = byLanguage[language] ?? byLanguage[language.split("-")[0] ?? ""] ?? byLanguage["en"] ?? Object.values(byLanguage)[0];
    if (typeof chosen === "string") return chosen;
  }
  return undefined;
}

/** A template with each `{name}` replaced by its parameter (lists joined by commas), as `wire/src/words.rs` fills it. */
export function fill(template: string, params: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, name: string) => (name in params ? show(params[name]) : whole));
}

function show(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(show).join(", ");
  return JSON.stringify(value);
}
