// The account view: choose an app, a contract and an entity; edit the
// entity in a form generated from the contract, pre-validated by the
// contract's own module as the person types; save (1003), and verify a
// pending change with its code (2004).

import { Catalogue, ModuleError } from "../sdk/index.js";
import type { FieldError, Json, JsonObject, LiveContract, ModuleChangeEvent, ModuleErrorEvent, Outcome } from "../sdk/index.js";
import { Api } from "./api.js";
import type { Answer, DemoApp } from "./api.js";
import { byId, h, show } from "./dom.js";
import { EntityForm, sameJson } from "./form.js";
import { liveContract, observeAnswer } from "./modules.js";
import { fieldSpecs } from "./schema.js";
import type { FieldSpec } from "./schema.js";

/** Members of an answer's entity that are identifiers, not contract fields. */
const IDENTIFIERS = ["dpKeyid", "extKeyType", "extKey"];

interface Opened {
  app: DemoApp;
  /** The contract and its module, which the SDK swaps when the server runs another. */
  live: LiveContract;
  dpKeyid: number;
  specs: FieldSpec[];
  form: EntityForm;
  current: JsonObject;
  etag: string | null;
  /** The app lacks the `update` permission: the form only shows the entity. */
  readOnly: boolean;
}

/** The sub codes of a read that found no entity (unknown dp-keyid or external key). */
const NOT_FOUND = ["404.1", "404.2"];

export class AccountView {
  private apps: DemoApp[] = [];
  private opened: Opened | null = null;
  private decision: Outcome | null = null;
  /** Errors the server answered, shown until the payload they were about changes. */
  private serverErrors: { payload: JsonObject; errors: FieldError[] } | null = null;
  private sequence = 0;
  private busy = false;
  private countdown: ReturnType<typeof setInterval> | null = null;
  /** Ends the module listeners of the contract opened before. */
  private watching: AbortController | null = null;

  private readonly appSelect = byId("app", HTMLSelectElement);
  private readonly contractSelect = byId("contract", HTMLSelectElement);
  private readonly entityInput = byId("entity", HTMLInputElement);
  private readonly entityList = byId("entity-list", HTMLDataListElement);
  private readonly moduleStatus = byId("module-status", HTMLElement);
  private readonly account = byId("account", HTMLElement);
  private readonly stored = byId("stored", HTMLElement);
  private readonly fields = byId("fields", HTMLElement);
  private readonly formSummary = byId("form-summary", HTMLElement);
  private readonly formErrors = byId("form-errors", HTMLElement);
  private readonly save = byId("save", HTMLButtonElement);
  private readonly columns = byId("entity-columns", HTMLElement);
  private readonly notFound = byId("not-found", HTMLElement);
  private readonly readOnlyNote = byId("readonly-note", HTMLElement);
  private readonly answer = byId("answer", HTMLElement);
  private readonly verifySection = byId("verify", HTMLElement);
  private readonly verifyIntro = byId("verify-intro", HTMLElement);
  private readonly codeInput = byId("code", HTMLInputElement);
  private readonly devCode = byId("dev-code", HTMLElement);
  private readonly countdownText = byId("countdown", HTMLElement);

  constructor(
    private readonly api: Api,
    private readonly catalogue: Catalogue,
  ) {
    api.onAnswer = (response, contract) => observeAnswer(response, contract, this.opened?.live ?? null);
    this.appSelect.addEventListener("change", () => this.fillContracts());
    byId("setup", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      void this.open();
    });
    byId("entity-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit();
    });
    byId("verify-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      void this.verify();
    });
    byId("show-code", HTMLButtonElement).addEventListener("click", () => void this.showDevCode());
    this.fields.addEventListener("input", () => void this.validate());
    this.fields.addEventListener("change", () => void this.validate());
  }

  async start(): Promise<void> {
    const [apps, entities] = await Promise.all([this.api.apps(), this.api.entities()]);
    this.apps = apps;
    this.appSelect.replaceChildren(...apps.map((app) => h("option", { value: app.name }, app.name)));
    this.entityList.replaceChildren(...entities.map((entity) => h("option", { value: String(entity.dpKeyid) }, `${entity.dpKeyid} (${entity.status})`)));
    if (!this.entityInput.value && entities[0]) this.entityInput.value = String(entities[0].dpKeyid);
    this.fillContracts();
  }

  private fillContracts(): void {
    const app = this.apps.find((candidate) => candidate.name === this.appSelect.value);
    const ids = app ? [app.defaultContract, ...app.contracts.filter((id) => id !== app.defaultContract)] : [];
    this.contractSelect.replaceChildren(...ids.map((id) => h("option", { value: id }, id === app?.defaultContract ? `${id} (default)` : id)));
  }

  /** Loads the contract and its module, reads the entity and builds the form. */
  async open(): Promise<void> {
    const app = this.apps.find((candidate) => candidate.name === this.appSelect.value);
    const dpKeyid = Number(this.entityInput.value);
    if (!app || !Number.isInteger(dpKeyid) || dpKeyid <= 0) {
      this.say(this.moduleStatus, "Choose an app and enter an entity's dpKeyid (a positive whole number).");
      return;
    }
    this.say(this.moduleStatus, "Loading the contract and its module…");
    try {
      const live = await liveContract(this.contractSelect.value);
      this.watch(live);
      const contract = live.contract;
      const t = live.timings;
      this.moduleStatus.dataset["module"] = live.sha256;
      this.say(
        this.moduleStatus,
        `Module ${live.sha256.slice(0, 12)}… loaded in ${Math.round(t.fetch + t.hash + t.compile + t.init + t.warmup)} ms (fetch ${Math.round(t.fetch)}, hash ${Math.round(t.hash)}, compile ${Math.round(t.compile)}, init ${Math.round(t.init)}, warm-up ${Math.round(t.warmup)}); contract “${contract.id}”.`,
      );
      const read = await this.api.read(app.key, dpKeyid, contract.id);
      this.serverErrors = null;
      this.hideVerification();
      show(this.account, true);
      byId("account-title", HTMLElement).textContent = `Entity ${dpKeyid} through “${contract.id}”`;
      if (!read.ok && NOT_FOUND.includes(read.problem.code)) {
        this.showNotFound(dpKeyid, read.problem.code);
        return;
      }
      show(this.notFound, false);
      show(this.columns, true);
      const specs = fieldSpecs(contract.schema);
      const form = new EntityForm(specs, () => void this.validate());
      const readOnly = !app.permissions.includes("update");
      // A disabled fieldset disables every control in it, the tag buttons too.
      this.fields.replaceChildren(readOnly ? h("fieldset", { class: "read-only", disabled: true }, h("legend", { class: "skip" }, "Read-only"), form.element) : form.element);
      this.opened = { app, live, dpKeyid, specs, form, current: {}, etag: null, readOnly };
      show(this.save, !readOnly);
      show(this.readOnlyNote, readOnly);
      this.readOnlyNote.textContent = readOnly
        ? `Read-only: the app “${app.name}” has no update permission (it may ${app.permissions.join(", ") || "do nothing"}), so this entity can be viewed but not changed.`
        : "";
      if (!read.ok) {
        this.showAnswer(read);
        this.render({});
        return;
      }
      this.answer.replaceChildren();
      this.opened.etag = read.etag;
      this.render(read.body?.entity ?? {});
    } catch (error) {
      this.say(this.moduleStatus, `Could not open: ${describe(error)}`);
    }
  }

  /** Shows the stored entity in the summary and the form, and validates. */
  private render(entity: JsonObject): void {
    const opened = this.opened;
    if (!opened) return;
    opened.current = Object.fromEntries(Object.entries(entity).filter(([name]) => !IDENTIFIERS.includes(name)));
    opened.form.write(opened.current);
    this.stored.replaceChildren(
      ...Object.entries(entity).flatMap(([name, value]) => {
        const spec = opened.specs.find((candidate) => candidate.name === name);
        return [h("dt", {}, spec?.title ?? name), h("dd", { "data-field": name }, display(value))];
      }),
    );
    void this.validate();
  }

  /** Evaluates what the form would send, with the contract's module; shows the errors. */
  private async validate(): Promise<void> {
    const opened = this.opened;
    if (!opened) return;
    const sequence = ++this.sequence;
    const payload = opened.form.payload(opened.current);
    let outcome: Outcome;
    try {
      outcome = await opened.live.evaluate({ operation: "update", current: opened.current, payload });
    } catch (error) {
      if (sequence !== this.sequence) return;
      this.decision = null;
      this.say(this.formSummary, error instanceof ModuleError ? `The contract module failed (${error.kind}); the server will decide.` : describe(error));
      this.updateSave(payload);
      return;
    }
    if (sequence !== this.sequence) return; // a newer keystroke is being checked
    this.decision = outcome;
    if (this.serverErrors && !sameJson(this.serverErrors.payload, payload)) this.serverErrors = null;
    const errors = [...(outcome.type === "decision" ? outcome.errors : outcome.problems), ...(this.serverErrors?.errors ?? [])];
    const unplaced = opened.form.showErrors(this.catalogue.fieldMessages(errors));
    this.formErrors.replaceChildren(...unplaced.map((message) => h("li", { "data-code": message.code }, `${message.pointer || "(document)"}: ${message.text}`)));
    const changes = Object.keys(payload).length;
    this.say(
      this.formSummary,
      errors.length > 0
        ? `${errors.length} ${errors.length === 1 ? "problem" : "problems"} to fix before saving.`
        : changes === 0
          ? "No changes yet."
          : `Ready to save: ${Object.keys(payload).join(", ")}.`,
    );
    this.updateSave(payload);
  }

  private updateSave(payload: JsonObject): void {
    if (this.opened?.readOnly) {
      this.save.disabled = true;
      return;
    }
    const accepted = this.decision?.type === "decision" && this.decision.errors.length === 0 && !this.serverErrors;
    this.save.disabled = this.busy || !accepted || Object.keys(payload).length === 0;
  }

  /** 1003: sends the changed fields. */
  private async submit(): Promise<void> {
    const opened = this.opened;
    if (!opened || opened.readOnly || this.save.disabled) return;
    const payload = opened.form.payload(opened.current);
    this.busy = true;
    this.save.disabled = true;
    try {
      const answer = await this.api.update(opened.app.key, opened.dpKeyid, opened.live.id, payload, opened.etag);
      this.showAnswer(answer);
      if (answer.ok) {
        opened.etag = answer.etag ?? opened.etag;
        this.serverErrors = null;
        if (answer.body) this.render(answer.body.entity);
        const code = answer.body?.code ?? String(answer.status);
        if (code === "200.1" || code === "201.1") this.askForCode(answer);
        else if (code === "200.2" || code === "200.3") this.startCountdown(answer.retryAfter ?? answer.body?.pending?.[0]?.retryAfter ?? 0);
      } else {
        this.serverErrors = { payload, errors: answer.problem.errors ?? [] };
        await this.validate();
        opened.form.focusFirstError();
      }
    } catch (error) {
      this.say(this.answer, `The request failed: ${describe(error)}`);
    } finally {
      this.busy = false;
      await this.validate();
    }
  }

  /** 2004: completes the pending change with the code. */
  private async verify(): Promise<void> {
    const opened = this.opened;
    if (!opened) return;
    const code = this.codeInput.value.trim();
    if (!code) {
      this.codeInput.setAttribute("aria-invalid", "true");
      this.say(byId("code-error", HTMLElement), "Enter the code that was sent.");
      this.codeInput.focus();
      return;
    }
    const answer = await this.api.verify(opened.app.key, opened.dpKeyid, code);
    if (!answer.ok) {
      this.showAnswer(answer);
      this.codeInput.setAttribute("aria-invalid", "true");
      this.say(byId("code-error", HTMLElement), this.catalogue.message(answer.problem.code));
      this.codeInput.focus();
      return;
    }
    this.showAnswer(answer, "204");
    this.hideVerification();
    const read = await this.api.read(opened.app.key, opened.dpKeyid, opened.live.id);
    if (read.ok) {
      opened.etag = read.etag;
      this.render(read.body?.entity ?? {});
    }
  }

  private askForCode(answer: Extract<Answer, { ok: true }>): void {
    const pending = answer.body?.pending ?? [];
    const titles = pending.map((change) => `${this.opened?.specs.find((spec) => spec.name === change.field)?.title ?? change.field} (by ${change.channel})`);
    this.verifyIntro.textContent = `A code was sent to confirm: ${titles.join(", ") || "the change"}. The new value is saved once you enter it.`;
    this.codeInput.value = "";
    this.codeInput.removeAttribute("aria-invalid");
    byId("code-error", HTMLElement).textContent = "";
    this.devCode.textContent = "";
    show(this.verifySection, true);
    this.codeInput.focus();
  }

  private hideVerification(): void {
    show(this.verifySection, false);
    if (this.countdown) clearInterval(this.countdown);
    this.countdown = null;
    show(this.countdownText, false);
  }

  /** 200.2 / 200.3: when another code may be requested. */
  private startCountdown(seconds: number): void {
    if (this.countdown) clearInterval(this.countdown);
    const until = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      this.countdownText.textContent =
        left > 0 ? `A new code can be requested in ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}.` : "A new code can be requested now.";
      if (left === 0 && this.countdown) clearInterval(this.countdown);
    };
    tick();
    show(this.countdownText, true);
    this.countdown = setInterval(tick, 1000);
  }

  /** The dev sender's last code for this entity (`GET /demo/codes`). */
  private async showDevCode(): Promise<void> {
    const opened = this.opened;
    if (!opened) return;
    const codes = (await this.api.codes()).filter((code) => code.entity === opened.dpKeyid);
    const newest = codes[0];
    this.devCode.replaceChildren(
      newest
        ? h("span", {}, `Sent by ${newest.channel} to ${newest.recipient} for ${newest.field}: `, h("strong", { class: "dev-code-value" }, newest.code))
        : "The dev sender has sent no code to this entity.",
    );
  }

  /** 404.1 / 404.2: no such entity; a message, and no form to fill in. */
  private showNotFound(dpKeyid: number, code: string): void {
    this.watching?.abort();
    this.watching = null;
    this.opened = null;
    this.decision = null;
    this.sequence++; // a validation still running belongs to the form that is gone
    this.fields.replaceChildren();
    this.stored.replaceChildren();
    this.formErrors.replaceChildren();
    this.formSummary.textContent = "";
    this.save.disabled = true;
    show(this.columns, false);
    show(this.readOnlyNote, false);
    this.answer.replaceChildren();
    delete this.answer.dataset["code"];
    this.notFound.dataset["code"] = code;
    this.notFound.replaceChildren(
      h("span", { class: "code problem", "data-code": code }, code),
      " ",
      h("strong", {}, "Not found: "),
      `there is no entity with dpKeyid ${dpKeyid} (${this.catalogue.message(code)}). Check the id, or pick one from the list.`,
    );
    show(this.notFound, true);
  }

  private showAnswer(answer: Answer, fallback?: string): void {
    const code = answer.ok ? (answer.body?.code ?? fallback ?? String(answer.status)) : answer.problem.code;
    const message = answer.ok ? (answer.body?.message ?? this.catalogue.message(code)) : (answer.problem.title ?? this.catalogue.message(code));
    this.answer.replaceChildren(
      h("span", { class: `code ${answer.ok ? "ok" : "problem"}`, "data-code": code }, code),
      " ",
      h("span", { class: "answer-message" }, message),
    );
    this.answer.dataset["code"] = code;
  }

  /** Follows the contract being opened (only it): the SDK reloads its module when an answer names another. */
  private watch(live: LiveContract): void {
    this.watching?.abort();
    this.watching = new AbortController();
    const { signal } = this.watching;
    live.addEventListener("modulechange", (event) => void this.moduleChanged(live, event), { signal });
    live.addEventListener("moduleerror", (event) => this.moduleFailed(live, event), { signal });
  }

  /** The server runs another module, now in use: say so and check the form again with it. */
  private async moduleChanged(live: LiveContract, event: ModuleChangeEvent): Promise<void> {
    const t = live.timings;
    this.say(
      this.moduleStatus,
      `Module ${event.sha256.slice(0, 12)}… loaded in ${Math.round(t.fetch + t.hash + t.compile + t.init + t.warmup)} ms: the server's new one, replacing ${event.previousSha256.slice(0, 12)}…; contract “${event.contract.id}”.`,
    );
    this.moduleStatus.dataset["module"] = event.sha256;
    await this.validate();
  }

  private moduleFailed(live: LiveContract, event: ModuleErrorEvent): void {
    this.say(
      this.moduleStatus,
      `The server names module ${event.requested?.slice(0, 12) ?? "(another)"}…, which could not be loaded (${describe(event.error)}); checking with ${live.sha256.slice(0, 12)}… meanwhile.`,
    );
  }

  private say(element: HTMLElement, text: string): void {
    element.textContent = text;
  }
}

function display(value: Json | undefined): string {
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value.join(", ");
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "yes" : "no";
  return JSON.stringify(value ?? null);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
