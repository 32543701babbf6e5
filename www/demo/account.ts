// The account view: choose an app, a contract, an entity and a language,
// and the `<pactum-form>` element of the SDK does the rest (the form, live
// pre-validation, Save, one verification step per pending field). Around
// it, what only a demo shows: the module's load timings, the entity as
// stored now, and the codes the dev `log` sender sent.

import { PactumForm } from "../sdk/index.js";
import type { Json, JsonObject } from "../sdk/index.js";
import type { Api, DemoApp } from "./api.js";
import { byId, h, show } from "./dom.js";

/** Members of a read that identify the entity rather than hold a contract's field. */
const IDENTIFIERS = ["dpKeyid", "extKeyType", "extKey"];

export class AccountView {
  private apps: DemoApp[] = [];
  private dpKeyid = 0;

  private readonly appSelect = byId("app", HTMLSelectElement);
  private readonly contractSelect = byId("contract", HTMLSelectElement);
  private readonly entityInput = byId("entity", HTMLInputElement);
  private readonly entityList = byId("entity-list", HTMLDataListElement);
  private readonly languageSelect = byId("language", HTMLSelectElement);
  private readonly moduleStatus = byId("module-status", HTMLElement);
  private readonly account = byId("account", HTMLElement);
  private readonly title = byId("account-title", HTMLElement);
  private readonly storedBox = byId("stored-box", HTMLElement);
  private readonly stored = byId("stored", HTMLElement);
  private readonly devCodes = byId("dev-codes", HTMLElement);
  private readonly devCodeList = byId("dev-code-list", HTMLElement);
  private readonly form = byId("account-form", PactumForm);

  constructor(private readonly api: Api) {
    this.appSelect.addEventListener("change", () => this.fillContracts());
    byId("setup", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      void this.open();
    });
    byId("show-codes", HTMLButtonElement).addEventListener("click", () => void this.showDevCodes());
    const form = this.form;
    form.addEventListener("pactum-ready", (event) => {
      const live = form.live;
      const t = live?.timings;
      this.moduleStatus.dataset["module"] = event.detail.sha256;
      this.moduleStatus.textContent = t
        ? `Module ${event.detail.sha256.slice(0, 12)}… loaded in ${Math.round(t.fetch + t.hash + t.compile + t.init + t.warmup)} ms (fetch ${Math.round(t.fetch)}, hash ${Math.round(t.hash)}, compile ${Math.round(t.compile)}, init ${Math.round(t.init)}, warm-up ${Math.round(t.warmup)}); contract “${event.detail.contract.id}”.`
        : "";
      show(this.storedBox, true);
      this.showStored(event.detail.entity);
      this.showDevPanel();
    });
    form.addEventListener("pactum-saved", (event) => {
      this.showStored(event.detail.entity);
      this.showDevPanel();
    });
    form.addEventListener("pactum-verified", (event) => {
      this.showStored(event.detail.entity);
      this.showDevPanel();
    });
    form.addEventListener("pactum-error", (event) => {
      if (event.detail.during !== "load") return;
      // Not found (or not readable): only the element's message, no stored values beside it.
      show(this.storedBox, false);
      this.stored.replaceChildren();
      this.showDevPanel();
    });
    form.addEventListener("pactum-modulechange", (event) => {
      const t = form.live?.timings;
      this.moduleStatus.dataset["module"] = event.detail.sha256;
      this.moduleStatus.textContent = `Module ${event.detail.sha256.slice(0, 12)}… loaded in ${t ? Math.round(t.fetch + t.hash + t.compile + t.init + t.warmup) : "?"} ms: the server's new one, replacing ${event.detail.previousSha256.slice(0, 12)}…; contract “${event.detail.contract.id}”.`;
    });
    form.addEventListener("pactum-moduleerror", (event) => {
      const error = event.detail.error;
      this.moduleStatus.textContent = `The server names module ${event.detail.requested?.slice(0, 12) ?? "(another)"}…, which could not be loaded (${error instanceof Error ? error.message : String(error)}); checking with ${form.live?.sha256.slice(0, 12) ?? "the old one"}… meanwhile.`;
    });
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

  /** Hands the element the app's key and permissions, the contract, the entity and the language; it reads and renders. */
  async open(): Promise<void> {
    const app = this.apps.find((candidate) => candidate.name === this.appSelect.value);
    const dpKeyid = Number(this.entityInput.value);
    if (!app || !Number.isInteger(dpKeyid) || dpKeyid <= 0) {
      this.moduleStatus.textContent = "Choose an app and enter an entity's dpKeyid (a positive whole number).";
      return;
    }
    this.dpKeyid = dpKeyid;
    this.moduleStatus.textContent = "Loading the contract and its module…";
    delete this.moduleStatus.dataset["module"];
    this.title.textContent = `Entity ${dpKeyid} through “${this.contractSelect.value}” as “${app.name}”`;
    show(this.account, true);
    const form = this.form;
    form.apiKey = app.key;
    form.permissions = app.permissions;
    form.contract = this.contractSelect.value;
    form.entity = dpKeyid;
    form.lang = this.languageSelect.value;
    await form.load();
    if (form.state === "error" && !form.live) this.moduleStatus.textContent = "Could not open the contract: see the message below.";
  }

  /** The entity as stored now (what a read answers), beside the form. */
  private showStored(entity: JsonObject): void {
    this.stored.replaceChildren(
      ...Object.entries(entity).flatMap(([name, value]) => [h("dt", {}, IDENTIFIERS.includes(name) ? name : this.form.label(`/${name}`)), h("dd", { "data-field": name }, display(value))]),
    );
  }

  private showDevPanel(): void {
    show(this.devCodes, this.form.pending.length > 0);
    if (this.form.pending.length === 0) this.devCodeList.replaceChildren();
  }

  /** The dev sender's newest code per pending field of this entity (`GET /demo/codes`). */
  private async showDevCodes(): Promise<void> {
    const codes = (await this.api.codes()).filter((code) => code.entity === this.dpKeyid);
    const items = this.form.pending.map((field) => {
      const newest = codes.find((code) => code.field === field);
      return h(
        "li",
        { "data-field": field },
        newest
          ? h("span", {}, `${this.form.label(`/${field}`)}: sent by ${newest.channel} to ${newest.recipient}: `, h("strong", { class: "dev-code-value", "data-field": field }, newest.code))
          : `${this.form.label(`/${field}`)}: the dev sender has sent no code for it yet.`,
      );
    });
    this.devCodeList.replaceChildren(...items);
  }
}

function display(value: Json | undefined): string {
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value.join(", ");
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "yes" : "no";
  return JSON.stringify(value ?? null);
}
