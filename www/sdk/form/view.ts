// A loaded `<pactum-form>`: the entity as read, its fields, live
// pre-validation by the contract's module as the person types, Save
// (1003), the dry run of unique fields on blur, and one verification step
// per pending field (2004). The element (element.ts) makes one per load.

import type { Catalogue, FieldMessage } from "../catalogue.js";
import { ModuleError } from "../errors.js";
import type { ContractDocument, LiveContract } from "../live.js";
import type { FieldError, Json, JsonObject, Outcome } from "../types.js";
import type { AccountClient, Answer } from "./client.js";
import { DryRuns } from "./dryrun.js";
import { emit } from "./events.js";
import { Fields, sameJson } from "./fields.js";
import { h, show } from "./dom.js";
import { fieldSpecs } from "./schema.js";
import { countdown } from "./steps.js";
import type { WordKey } from "./strings.js";
import { Verification } from "./verify.js";

/** Members of an answer's entity that are identifiers, not contract fields. */
const IDENTIFIERS = ["dpKeyid", "extKeyType", "extKey"];

export interface ViewOptions {
  host: HTMLElement;
  /** Every id in the form starts with it (the element's id). */
  prefix: string;
  live: LiveContract;
  catalogue: Catalogue;
  client: AccountClient;
  t: (key: WordKey, params?: Record<string, unknown>) => string;
  /** The entity as read (identifiers included) and its version. */
  entity: JsonObject;
  etag: string | null;
  readOnly: boolean;
  mayVerify: boolean;
  /** Whether a dry run may be sent now (the element's `dry-run` and the server's support). */
  dryRunAllowed: () => Promise<boolean>;
  /** Called when the server says the app may not update (412): the element shows the form read-only. */
  onNoPermission: () => void;
  /** Called when a new module came with another schema: the element builds the form again. */
  onSchemaChange: () => void;
}

export class FormView {
  readonly fields: Fields;
  private entity: JsonObject;
  private current: JsonObject = {};
  private etag: string | null;
  private decision: Outcome | null = null;
  /** Errors the server answered to a save, shown until the payload they were about changes. */
  private serverErrors: { payload: JsonObject; errors: FieldError[] } | null = null;
  private readonly dryRuns = new DryRuns();
  private errorCount = 0;
  private sequence = 0;
  private busy = false;
  private stopCountdown: (() => void) | null = null;
  private readonly watching = new AbortController();

  private readonly form: HTMLFormElement;
  private readonly errorList: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly save: HTMLButtonElement | null;
  private readonly answer: HTMLElement;
  private readonly countdownText: HTMLElement;
  private readonly verification: Verification;

  constructor(private readonly options: ViewOptions) {
    const { prefix, t, live, readOnly } = options;
    this.entity = options.entity;
    this.etag = options.etag;
    this.fields = new Fields(fieldSpecs(live.contract.schema), {
      id: (pointer) => `${prefix}-field${pointer.replace(/[^A-Za-z0-9_-]/g, "-")}`,
      t,
      readOnly,
      onChange: () => void this.validate(),
    });
    const title = live.contract.schema["title"];
    this.errorList = h("ul", { id: `${prefix}-errors`, class: "pf-errors" });
    this.summary = h("p", { id: `${prefix}-summary`, class: "pf-status", role: "status" });
    this.save = readOnly ? null : h("button", { type: "submit", id: `${prefix}-save`, class: "pf-button", "aria-disabled": "true" }, t("save"));
    this.form = h(
      "form",
      { id: `${prefix}-form`, class: "pf-form", novalidate: true, "aria-label": typeof title === "string" && title ? title : t("formLabel") },
      this.fields.element,
      this.errorList,
      this.summary,
      this.save ? h("div", { class: "pf-actions" }, this.save) : null,
    );
    this.answer = h("p", { id: `${prefix}-answer`, class: "pf-answer", role: "status" });
    this.countdownText = h("p", { id: `${prefix}-countdown`, class: "pf-countdown", role: "timer", "aria-live": "off", hidden: true });
    this.verification = new Verification({
      host: options.host,
      prefix,
      client: options.client,
      catalogue: options.catalogue,
      t,
      mayVerify: options.mayVerify,
      label: (name) => this.label(name),
      answered: (answer) => this.showAnswer(answer),
      sending: () => this.clearAnswer(),
      words: (answer) => this.problemText(answer),
      reread: () => this.reread(),
      wrote: (etag) => {
        this.etag = etag ?? this.etag;
      },
    });

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.form.addEventListener("input", () => void this.validate());
    this.form.addEventListener("change", () => void this.validate());
    this.form.addEventListener("focusout", (event) => void this.dryRun(event.target));
    live.addEventListener("modulechange", (event) => this.moduleChanged(event.sha256, event.previousSha256, event.contract, event.previousContract), { signal: this.watching.signal });
    live.addEventListener("moduleerror", (event) => emit(options.host, "pactum-moduleerror", { requested: event.requested, error: event.error }), { signal: this.watching.signal });
  }

  /** Puts the form into the element and shows the entity. */
  render(): void {
    const { host, prefix, t, readOnly } = this.options;
    host.replaceChildren(
      readOnly ? h("p", { id: `${prefix}-note`, class: "pf-note", role: "note" }, t("readOnlyNote")) : "",
      this.form,
      this.answer,
      this.countdownText,
      this.verification.steps.element,
      this.verification.steps.status,
    );
    this.setEntity(this.entity);
    void this.validate();
  }

  /** The entity as last read or answered, identifiers included. */
  get data(): JsonObject {
    return this.entity;
  }

  /** What Save would send now. */
  get payload(): JsonObject {
    return this.fields.payload(this.current);
  }

  /** The fields waiting for a code. */
  get pending(): string[] {
    return this.verification.steps.fields;
  }

  dispose(): void {
    this.watching.abort();
    this.stopCountdown?.();
    this.verification.steps.clear();
    this.sequence++;
  }

  /** Evaluates what the form would send, with the contract's module; shows the errors. */
  async validate(): Promise<void> {
    if (this.options.readOnly) return;
    const sequence = ++this.sequence;
    const payload = this.fields.payload(this.current);
    let outcome: Outcome;
    try {
      outcome = await this.options.live.evaluate({ operation: "update", current: this.current, payload });
    } catch (error) {
      if (sequence !== this.sequence) return;
      this.decision = null;
      this.summary.textContent = error instanceof ModuleError ? this.options.t("moduleFailed", { kind: error.kind }) : describe(error);
      this.show(payload, this.extraErrors(payload));
      return;
    }
    if (sequence !== this.sequence) return; // a newer keystroke is being checked
    this.decision = outcome;
    const own = outcome.type === "decision" ? outcome.errors : outcome.problems;
    this.show(payload, [...own, ...this.extraErrors(payload)]);
  }

  /** Save: 1003 with the changed fields, unless the module refuses them (then focus goes to the first invalid field). */
  async submit(): Promise<Answer | null> {
    if (this.options.readOnly || this.busy) return null;
    this.clearAnswer();
    await this.validate();
    const { t, host } = this.options;
    const payload = this.fields.payload(this.current);
    if (Object.keys(payload).length === 0) {
      announce(this.summary, t("nothingToSave"));
      return null;
    }
    if (this.errorCount > 0) {
      announce(this.summary, this.problems(this.errorCount));
      this.fields.focusFirstError();
      return null;
    }
    if (!emit(host, "pactum-submit", { payload })) return null;
    this.setBusy(true);
    let answer: Answer;
    try {
      answer = await this.options.client.update(payload, { etag: this.etag });
    } catch (error) {
      this.setBusy(false);
      this.answer.textContent = t("requestFailed", { error: describe(error) });
      emit(host, "pactum-error", { during: "save", error });
      return null;
    }
    this.setBusy(false);
    this.showAnswer(answer);
    if (answer.ok) await this.saved(answer, payload);
    else await this.refused(answer, payload);
    return answer;
  }

  /** 2004 with a code, for the step of `field` if given (`element.verify(code, field)`). */
  verifyCode(code: string, field?: string): Promise<Answer | null> {
    return this.verification.verifyCode(code, field);
  }

  /** Reads the entity again (after a code was accepted): answers the data before and after. */
  private async reread(): Promise<{ before: JsonObject; after: JsonObject; entity: JsonObject }> {
    const before = this.current;
    const read = await this.options.client.read();
    if (read.ok && read.body) {
      this.etag = read.etag ?? this.etag;
      this.setEntity(read.body.entity);
    }
    void this.validate();
    return { before, after: this.current, entity: this.entity };
  }

  private async saved(answer: Extract<Answer, { ok: true }>, payload: JsonObject): Promise<void> {
    const { host, t } = this.options;
    this.etag = answer.etag ?? this.etag;
    this.serverErrors = null;
    if (answer.body) this.setEntity(answer.body.entity);
    const pending = answer.body?.pending ?? [];
    const codeSent = answer.code === "200.1" || answer.code === "201.1";
    const sent = pending.filter((entry) => entry.expiresAt !== undefined || codeSent);
    const waiting = pending.filter((entry) => !sent.includes(entry));
    const made = this.verification.add(
      sent.map((entry) => ({
        field: entry.field,
        label: this.label(entry.field),
        channel: entry.channel,
        value: display(payload[entry.field]),
        raw: payload[entry.field] ?? null,
        expiresAt: entry.expiresAt,
      })),
    );
    this.stopCountdown?.();
    this.stopCountdown = null;
    if (waiting.length > 0) this.stopCountdown = countdown(this.countdownText, answer.retryAfter ?? waiting[0]?.retryAfter ?? 0, t);
    else show(this.countdownText, false);
    await this.validate();
    emit(host, "pactum-saved", { answer, payload, entity: this.entity, pending: this.verification.steps.fields });
    made[0]?.input.focus();
  }

  private async refused(answer: Extract<Answer, { ok: false }>, payload: JsonObject): Promise<void> {
    const { host } = this.options;
    emit(host, "pactum-error", { during: "save", answer });
    if (answer.code === "412") {
      this.options.onNoPermission();
      return;
    }
    this.serverErrors = { payload, errors: answer.problem.errors ?? [] };
    await this.validate();
    this.fields.focusFirstError();
  }

  /** On leaving a unique field with a new value the module accepts: the server's dry run of saving it. */
  private async dryRun(target: EventTarget | null): Promise<void> {
    if (this.options.readOnly) return;
    const control = this.fields.controlOf(target);
    if (!control || !control.spec.unique || control.spec.readOnly) return;
    const { pointer, name } = control.spec;
    const value = control.read();
    if (value === undefined || sameJson(value, this.current[name]) || !this.dryRuns.needed(pointer, value)) return;
    const own = await this.options.live.checkField(this.current, pointer, value).catch(() => []);
    if (own.length > 0 || !(await this.options.dryRunAllowed())) return;
    this.dryRuns.started(pointer, value);
    let answer: Answer;
    try {
      answer = await this.options.client.update({ [name]: value }, { dryRun: true });
    } catch (error) {
      this.dryRuns.forget();
      emit(this.options.host, "pactum-error", { during: "dry-run", error, field: name });
      return;
    }
    if (answer.ok && !answer.dryRun) {
      // No `Pactum-Dry-Run: true` (CORS exposes it): a server without the switch ignored it and saved.
      this.showAnswer(answer);
      await this.saved(answer, { [name]: value });
      return;
    }
    this.dryRuns.answered(pointer, value, answer);
    emit(this.options.host, "pactum-dry-run", { field: name, value, answer });
    await this.validate();
  }

  private moduleChanged(sha256: string, previousSha256: string, contract: ContractDocument, previous: ContractDocument): void {
    emit(this.options.host, "pactum-modulechange", { previousSha256, sha256, contract });
    if (JSON.stringify(contract.schema) !== JSON.stringify(previous.schema)) this.options.onSchemaChange();
    else void this.validate();
  }

  /** The server's errors that still apply: a refused save's (same payload), the dry runs' (same value). */
  private extraErrors(payload: JsonObject): FieldError[] {
    if (this.serverErrors && !sameJson(this.serverErrors.payload, payload)) this.serverErrors = null;
    return [...(this.serverErrors?.errors ?? []), ...this.dryRuns.errors((pointer) => this.fields.control(pointer)?.read())];
  }

  private show(payload: JsonObject, all: FieldError[]): void {
    const { t } = this.options;
    const seen = new Set<string>();
    const errors = all.filter((error) => {
      const key = `${error.pointer}\u0000${error.code}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const unplaced = this.fields.showErrors(this.options.catalogue.fieldMessages(errors));
    this.errorList.replaceChildren(...unplaced.map((message) => h("li", { "data-code": message.code }, this.unplacedText(message))));
    this.errorCount = errors.length;
    const changes = Object.keys(payload);
    if (this.decision !== null || errors.length > 0) {
      this.summary.textContent =
        errors.length > 0 ? this.problems(errors.length) : changes.length === 0 ? t("noChanges") : t("ready", { fields: changes.map((name) => this.label(name)).join(", ") });
    }
    this.updateSave(changes.length);
  }

  private updateSave(changes = Object.keys(this.fields.payload(this.current)).length): void {
    this.save?.setAttribute("aria-disabled", String(this.busy || this.errorCount > 0 || changes === 0));
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.form.setAttribute("aria-busy", String(busy));
    if (this.save) this.save.textContent = this.options.t(busy ? "saving" : "save");
    this.updateSave();
  }

  private setEntity(entity: JsonObject): void {
    this.entity = entity;
    this.current = Object.fromEntries(Object.entries(entity).filter(([name]) => !IDENTIFIERS.includes(name)));
    this.fields.write(this.current);
  }

  private showAnswer(answer: Answer): void {
    const text = this.problemText(answer);
    this.answer.replaceChildren(
      h("span", { class: `pf-code ${answer.ok ? "pf-ok" : "pf-problem"}`, "data-code": answer.code }, answer.code),
      " ",
      h("span", { class: "pf-answer-message" }, text),
    );
    this.answer.dataset["code"] = answer.code;
  }

  /** Before a new request: the last answer no longer stands. */
  private clearAnswer(): void {
    this.answer.replaceChildren();
    delete this.answer.dataset["code"];
  }

  /** The catalogue's words for an answer's code (translated), else what the server said. */
  private problemText(answer: Answer): string {
    const worded = this.options.catalogue.message(answer.code);
    if (worded !== answer.code) return worded;
    return answer.ok ? (answer.body?.message ?? answer.code) : answer.problem.title;
  }

  private unplacedText(message: FieldMessage): string {
    return message.pointer ? `${this.fields.label(message.pointer)}: ${message.text}` : message.text;
  }

  private problems(count: number): string {
    return count === 1 ? this.options.t("problemsOne") : this.options.t("problemsMany", { count });
  }

  /** A top-level field's label, from its name. */
  private label(name: string): string {
    return this.fields.label(`/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`);
  }
}

/** A status line written again so that it is announced again, even with the same words. */
function announce(element: HTMLElement, text: string): void {
  element.textContent = "";
  requestAnimationFrame(() => {
    element.textContent = text;
  });
}

function display(value: Json | undefined): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value ?? null);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
