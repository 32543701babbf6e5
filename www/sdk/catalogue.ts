// The shared error catalogue (core/src/catalogue.rs): the browser shows a
// field's error in the words the server's answers use, keyed by code.

import type { FieldError } from "./types.js";

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

  /** The server's catalogue (`GET /catalogue`). */
  static async fetch(url: string | URL = "/catalogue", translations?: Record<string, string>): Promise<Catalogue> {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`fetching the catalogue ${String(url)}: HTTP ${response.status}`);
    return new Catalogue((await response.json()) as CatalogueEntry[], translations);
  }

  /**
   * The built-in module's own copy, through its wasm-bindgen glue
   * (`bindings` of `GET /contracts/{id}`): for pages that run without the server.
   */
  static async fromBindings(bindingsUrl: string | URL, moduleUrl: string | URL, translations?: Record<string, string>): Promise<Catalogue> {
    const glue = (await import(String(bindingsUrl))) as {
      default(options: { module_or_path: string | URL }): Promise<unknown>;
      catalogue(): CatalogueEntry[];
    };
    await glue.default({ module_or_path: moduleUrl });
    return new Catalogue(glue.catalogue(), translations);
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
