// `<pactum-form contract="profile" entity="1">`: a contract rendered as an
// accessible form for one entity, pre-validated by the contract's own
// module as the person types, saved through 1003, with one verification
// step per pending field (2004). No framework: a custom element.
//
// Light DOM, not shadow DOM: the form's labels, `aria-describedby` and
// `aria-labelledby` ids, the page's live regions and its headings are in
// one tree, so assistive technology, autofill and password managers, the
// page's own CSS and fonts, and a page's tests and accessibility checks
// all see an ordinary form. The default look is one constructed style
// sheet adopted into the document, every selector in `:where()` (no
// specificity), so the page's rules always win. Ids are the element's
// `id` (or `pactum-form-<n>`) followed by the part: `<id>-field-mobile`,
// `<id>-save`, `<id>-answer`, `<id>-step-email-code`, ...

import { Catalogue } from "../catalogue.js";
import { LiveContract } from "../live.js";
import type { ContractDocument } from "../live.js";
import type { JsonObject, Request } from "../types.js";
import * as tables from "../words.js";
import type { MessageTable } from "../words.js";
import { AccountClient, supportsDryRun } from "./client.js";
import type { Answer, EntityRef } from "./client.js";
import { h } from "./dom.js";
import { dryRunMode } from "./dryrun.js";
import type { DryRunMode } from "./dryrun.js";
import { emit } from "./events.js";
import type { PactumFormEventMap } from "./events.js";
import { fieldSpecs, flatten } from "./schema.js";
import { shippedLanguage, words } from "./strings.js";
import { adoptStyles } from "./style.js";
import { FormView } from "./view.js";

/** Where there is no DOM (node), the class is still defined, so that importing the SDK works there. */
const Base = (typeof HTMLElement === "function" ? HTMLElement : class {}) as typeof HTMLElement;

/** The sub codes of a read that found no entity (unknown dp-keyid or external key). */
const NOT_FOUND = ["404.1", "404.2"];

const PROPERTIES = ["apiKey", "permissions", "contract", "entity", "baseUrl", "readOnly", "dryRun"] as const;

let instances = 0;

export type PactumFormState = "idle" | "loading" | "ready" | "not-found" | "error";

export interface PactumForm {
  addEventListener<K extends keyof PactumFormEventMap>(type: K, listener: (this: PactumForm, event: PactumFormEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof PactumFormEventMap>(type: K, listener: (this: PactumForm, event: PactumFormEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

// The interface above merges into the class: typed `addEventListener`.
export class PactumForm extends Base {
  static readonly observedAttributes = ["contract", "entity", "ext-key", "ext-type", "base-url", "lang", "readonly", "dry-run"];

  #apiKey: string | null = null;
  #permissions: readonly string[] | null = null;
  /** The server answered 412 to a save: this app may not update. */
  #refusedUpdate = false;
  #view: FormView | null = null;
  #live: LiveContract | null = null;
  #generation = 0;
  #scheduled = false;
  #autoId: string | null = null;
  #state: PactumFormState = "idle";

  connectedCallback(): void {
    adoptStyles(this.ownerDocument);
    // Properties set before the element was defined shadow the accessors: take them over.
    for (const name of PROPERTIES) {
      if (Object.prototype.hasOwnProperty.call(this, name)) {
        const value = (this as Record<string, unknown>)[name];
        delete (this as Record<string, unknown>)[name];
        (this as Record<string, unknown>)[name] = value;
      }
    }
    this.#schedule();
  }

  disconnectedCallback(): void {
    this.#generation++;
    this.#view?.dispose();
    this.#view = null;
  }

  attributeChangedCallback(_name: string, before: string | null, after: string | null): void {
    if (before !== after) this.#schedule();
  }

  /** The contract's id (`contract` attribute). */
  get contract(): string | null {
    return this.getAttribute("contract");
  }
  set contract(value: string | null) {
    this.#reflect("contract", value);
  }

  /** The entity's dp-keyid (`entity` attribute); or give `ext-key` and `ext-type`. */
  get entity(): string | null {
    return this.getAttribute("entity");
  }
  set entity(value: string | number | null) {
    this.#reflect("entity", value === null ? null : String(value));
  }

  /** The Pactum server (`base-url`); by default the page's own origin. */
  get baseUrl(): string | null {
    return this.getAttribute("base-url");
  }
  set baseUrl(value: string | null) {
    this.#reflect("base-url", value);
  }

  /** Shows the entity without a usable Save (`readonly` attribute), whatever the app may do. */
  get readOnly(): boolean {
    return this.hasAttribute("readonly");
  }
  set readOnly(value: boolean) {
    this.toggleAttribute("readonly", Boolean(value));
  }

  /** `dry-run`: `auto` (default: when the server documents `?dryRun=true`), `on`, `off`. */
  get dryRun(): DryRunMode {
    return dryRunMode(this.getAttribute("dry-run"));
  }
  set dryRun(value: DryRunMode) {
    this.setAttribute("dry-run", value);
  }

  /** The app's API key: a property only, never an attribute, so it is not in the DOM. */
  get apiKey(): string | null {
    return this.#apiKey;
  }
  set apiKey(value: string | null) {
    this.#apiKey = value || null;
    this.#schedule();
  }

  /**
   * The app's permissions (`["read", "update", "verify"]`), when the page
   * knows them: without `update` the form is read-only, with a note; without
   * `verify` the steps say that codes are entered elsewhere. Unknown
   * (`null`, the default): the server's 412 to a save makes it read-only.
   */
  get permissions(): readonly string[] | null {
    return this.#permissions;
  }
  set permissions(value: readonly string[] | null) {
    this.#permissions = value ? [...value] : null;
    this.#refusedUpdate = false;
    this.#schedule();
  }

  /** The language the form speaks: `lang` on it or the nearest ancestor, among those Pactum ships; else `en`. */
  get language(): string {
    return shippedLanguage(this.closest("[lang]")?.getAttribute("lang"));
  }

  /** `idle` (no contract, entity or key yet), `loading`, `ready`, `not-found`, `error`; also `data-state`. */
  get state(): PactumFormState {
    return this.#state;
  }

  /** Whether the form is shown read-only now (attribute, permissions, or a 412). */
  get isReadOnly(): boolean {
    return this.readOnly || this.#refusedUpdate || (this.#permissions !== null && !this.#permissions.includes("update"));
  }

  /** The contract with its module, once loaded. */
  get live(): LiveContract | null {
    return this.#live;
  }

  /** The entity as last read or answered (identifiers included), once loaded. */
  get data(): JsonObject | null {
    return this.#view?.data ?? null;
  }

  /** What Save would send now: the changed fields. */
  get payload(): JsonObject {
    return this.#view?.payload ?? {};
  }

  /** The fields waiting for a verification code. */
  get pending(): string[] {
    return this.#view?.pending ?? [];
  }

  /** A field's label as the form shows it (`/address/city` -> "City"). */
  label(pointer: string): string {
    return this.#view?.fields.label(pointer) ?? pointer;
  }

  /** Reads the contract and the entity again and renders the form. */
  async load(): Promise<void> {
    const generation = ++this.#generation;
    this.#scheduled = false;
    this.#view?.dispose();
    this.#view = null;
    const t = words(this.language);
    const contract = this.contract;
    const entity = this.#entityRef();
    if (!contract || !entity || !this.#apiKey) {
      this.#setState("idle");
      this.replaceChildren();
      return;
    }
    this.#setState("loading");
    this.replaceChildren(h("p", { class: "pf-status", role: "status" }, t("loading")));
    const baseUrl = this.baseUrl ?? undefined;
    try {
      const [live, catalogue] = await Promise.all([openContract(contract, baseUrl), catalogueFor(baseUrl, this.language)]);
      if (generation !== this.#generation) return;
      this.#live = live;
      const client = new AccountClient(baseUrl, live, this.#apiKey, entity, this.language);
      const read = await client.read();
      if (generation !== this.#generation) return;
      if (!read.ok) {
        this.#showProblem(read, catalogue, NOT_FOUND.includes(read.code) ? "not-found" : "error");
        return;
      }
      const view = new FormView({
        host: this,
        prefix: this.#prefix(),
        live,
        catalogue,
        client,
        t,
        entity: read.body?.entity ?? {},
        etag: read.etag,
        readOnly: this.isReadOnly,
        mayVerify: this.#permissions === null || this.#permissions.includes("verify"),
        dryRunAllowed: () => (this.dryRun === "on" ? Promise.resolve(true) : this.dryRun === "off" ? Promise.resolve(false) : supportsDryRun(baseUrl)),
        onNoPermission: () => {
          this.#refusedUpdate = true;
          void this.load();
        },
        onSchemaChange: () => void this.load(),
      });
      this.#view = view;
      view.render();
      this.#setState("ready");
      emit(this, "pactum-ready", { contract: live.contract, entity: view.data, readOnly: this.isReadOnly, sha256: live.sha256 });
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#setState("error");
      this.replaceChildren(h("p", { class: "pf-not-found", role: "alert" }, t("loadFailed", { error: error instanceof Error ? error.message : String(error) })));
      emit(this, "pactum-error", { during: "load", error });
    }
  }

  /** Presses Save: answers the server's answer, or `null` when nothing was sent (no change, invalid, cancelled). */
  save(): Promise<Answer | null> {
    return this.#view?.submit() ?? Promise.resolve(null);
  }

  /** Sends a verification code (as a step's Verify does, for the step of `field` if given). */
  verify(code: string, field?: string): Promise<Answer | null> {
    return this.#view?.verifyCode(code, field) ?? Promise.resolve(null);
  }

  #showProblem(answer: Extract<Answer, { ok: false }>, catalogue: Catalogue, state: "not-found" | "error"): void {
    const t = words(this.language);
    const message = catalogue.message(answer.code);
    const text = state === "not-found" ? t("notFound", { entity: this.entity ?? this.getAttribute("ext-key") ?? "", message }) : message === answer.code ? answer.problem.title : message;
    this.#setState(state);
    this.replaceChildren(
      h(
        "p",
        { id: `${this.#prefix()}-${state === "not-found" ? "not-found" : "problem"}`, class: "pf-not-found", role: "alert", "data-code": answer.code },
        h("span", { class: "pf-code pf-problem", "data-code": answer.code }, answer.code),
        " ",
        text,
      ),
    );
    emit(this, "pactum-error", { during: "load", answer });
  }

  #entityRef(): EntityRef | null {
    const dpKeyid = this.getAttribute("entity");
    if (dpKeyid) return { dpKeyid };
    const extKey = this.getAttribute("ext-key");
    const extType = this.getAttribute("ext-type");
    return extKey && extType ? { extKey, extType } : null;
  }

  #prefix(): string {
    if (this.id) return this.id;
    this.#autoId ??= `pactum-form-${++instances}`;
    return this.#autoId;
  }

  #setState(state: PactumFormState): void {
    this.#state = state;
    this.dataset["state"] = state;
    this.toggleAttribute("data-read-only", state === "ready" && this.isReadOnly);
  }

  #reflect(name: string, value: string | null): void {
    if (value === null) this.removeAttribute(name);
    else this.setAttribute(name, value);
  }

  /** Loads once after the attributes and properties set in one task. */
  #schedule(): void {
    if (this.#scheduled || !this.isConnected) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      if (this.#scheduled && this.isConnected) void this.load();
    });
  }
}

/** Defines `<pactum-form>` (or another name) once; answers the class. */
export function definePactumForm(name = "pactum-form"): typeof PactumForm {
  if (typeof customElements === "undefined") throw new Error("definePactumForm needs a browser (customElements)");
  if (!customElements.get(name)) customElements.define(name, name === "pactum-form" ? PactumForm : class extends PactumForm {});
  return PactumForm;
}

const contracts = new Map<string, Promise<LiveContract>>();
const catalogues = new Map<string, Promise<Catalogue>>();

/** The served contract with its module, shared by every form on the page (switching back does not compile again). */
function openContract(id: string, baseUrl: string | undefined): Promise<LiveContract> {
  const key = `${baseUrl ?? ""} ${id}`;
  let live = contracts.get(key);
  if (!live) {
    live = LiveContract.open({ id, baseUrl, warmup: warmupFor });
    live.catch(() => contracts.delete(key));
    contracts.set(key, live);
  }
  return live;
}

/** The server's catalogue with the language's message table (`messages.da`), when the SDK has one. */
function catalogueFor(baseUrl: string | undefined, language: string): Promise<Catalogue> {
  const key = `${baseUrl ?? ""} ${language}`;
  let catalogue = catalogues.get(key);
  if (!catalogue) {
    const table = (tables as { messages?: Partial<Record<string, MessageTable>> }).messages?.[language];
    catalogue = Catalogue.fetch({ baseUrl, translations: table ? { ...table } : undefined, language });
    catalogue.catch(() => catalogues.delete(key));
    catalogues.set(key, catalogue);
  }
  return catalogue;
}

/** One mobile number per mobile field, so the first keystroke does not pay for libphonenumber's metadata. */
function warmupFor(contract: ContractDocument): Request[] {
  return flatten(fieldSpecs(contract.schema))
    .filter((spec) => spec.kind === "tel" && !spec.pointer.slice(1).includes("/"))
    .map((spec) => ({ operation: "validate", current: null, payload: { [spec.name]: "+4520123456" } }));
}
