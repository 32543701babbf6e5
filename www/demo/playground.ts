// The playground: paste a contract, current data and a payload, pick a
// module and an operation, and see the decision the module answers.

import type { Catalogue, Json, JsonObject, Outcome } from "../sdk/index.js";
import type { Api, ContractSummary } from "./api.js";
import { byId, h } from "./dom.js";
import { bareModule } from "./modules.js";

export class PlaygroundView {
  private readonly module = byId("pg-module", HTMLSelectElement);
  private readonly example = byId("pg-example", HTMLSelectElement);
  private readonly operation = byId("pg-operation", HTMLSelectElement);
  private readonly contract = byId("pg-contract", HTMLTextAreaElement);
  private readonly current = byId("pg-current", HTMLTextAreaElement);
  private readonly payload = byId("pg-payload", HTMLTextAreaElement);
  private readonly result = byId("pg-result", HTMLElement);
  private readonly raw = byId("pg-outcome", HTMLElement);
  private contracts: ContractSummary[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sequence = 0;

  constructor(
    private readonly api: Api,
    private readonly catalogue: Catalogue,
  ) {
    byId("playground-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      void this.evaluate();
    });
    for (const input of [this.contract, this.current, this.payload, this.operation, this.module]) {
      input.addEventListener("input", () => this.schedule());
    }
    this.example.addEventListener("change", () => void this.loadExample(this.example.value));
  }

  async start(): Promise<void> {
    this.contracts = await this.api.contracts();
    const modules = new Map<string, ContractSummary[]>();
    for (const contract of this.contracts) modules.set(contract.moduleSha256, [...(modules.get(contract.moduleSha256) ?? []), contract]);
    this.module.replaceChildren(
      ...[...modules].map(([sha256, users]) =>
        h(
          "option",
          { value: `/modules/${sha256}.wasm` },
          `${users.some((user) => user.module === "builtin") ? "Built-in module" : `Plugin module of ${users.map((user) => user.id).join(", ")}`} (${sha256.slice(0, 12)}…)`,
        ),
      ),
    );
    this.example.replaceChildren(h("option", { value: "" }, "Start from a contract…"), ...this.contracts.map((contract) => h("option", { value: contract.id }, contract.title ? `${contract.title} (${contract.id})` : contract.id)));
    // Start from a contract of the built-in module: it evaluates any pasted contract.
    const first = this.contracts.find((contract) => contract.module === "builtin") ?? this.contracts[0];
    if (!this.contract.value.trim() && first) await this.loadExample(first.id);
  }

  /** Fills the contract box with a served contract and selects its module. */
  private async loadExample(id: string): Promise<void> {
    if (!id) return;
    const document = await this.api.contract(id);
    this.contract.value = JSON.stringify(document.schema, null, 2);
    this.module.value = `/modules/${document.moduleSha256}.wasm`;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.evaluate(), 150);
  }

  async evaluate(): Promise<void> {
    const sequence = ++this.sequence;
    const parsed = parseBoxes([
      ["Contract", this.contract.value, {}],
      ["Current data", this.current.value, null],
      ["Payload", this.payload.value, {}],
    ]);
    if (typeof parsed === "string") {
      this.result.replaceChildren(h("p", { class: "problem" }, parsed));
      this.raw.textContent = "";
      return;
    }
    const [contract, current, payload] = parsed;
    let outcome: Outcome;
    let text: string;
    try {
      const pactum = await bareModule(this.module.value);
      const call = { contract: contract as JsonObject, operation: this.operation.value as "update", current: current as JsonObject | null, payload };
      text = new TextDecoder().decode(await pactum.evaluateJson(JSON.stringify({ ...call, context: { today: new Date().toISOString().slice(0, 10) } })));
      outcome = JSON.parse(text) as Outcome;
    } catch (error) {
      if (sequence === this.sequence) this.result.replaceChildren(h("p", { class: "problem" }, `The module failed: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    if (sequence !== this.sequence) return;
    const errors = outcome.type === "decision" ? outcome.errors : outcome.problems;
    this.result.replaceChildren(
      h("p", {}, h("span", { class: `code ${outcome.code.startsWith("2") ? "ok" : "problem"}`, "data-code": outcome.code }, outcome.code), " ", outcome.type === "failure" ? outcome.message : this.catalogue.message(outcome.code)),
      errors.length === 0
        ? h("p", {}, outcome.type === "decision" ? `Accepted. Changed: ${outcome.changed.join(", ") || "nothing"}${outcome.pending.length ? `; pending verification: ${outcome.pending.map((change) => change.field).join(", ")}` : ""}.` : "")
        : h(
            "table",
            {},
            h("caption", {}, `${errors.length} ${errors.length === 1 ? "error" : "errors"}`),
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Field"), h("th", { scope: "col" }, "Code"), h("th", { scope: "col" }, "Message"))),
            h("tbody", {}, ...errors.map((error) => h("tr", {}, h("td", {}, h("code", {}, error.pointer || "/")), h("td", {}, error.code), h("td", {}, this.catalogue.fieldMessage(error).text)))),
          ),
    );
    this.raw.textContent = JSON.stringify(JSON.parse(text), null, 2);
  }
}

/** Parses each box as JSON; an empty box takes its default. Answers the first problem as text. */
function parseBoxes(boxes: [string, string, Json][]): Json[] | string {
  const values: Json[] = [];
  for (const [name, text, empty] of boxes) {
    if (text.trim() === "") {
      values.push(empty);
      continue;
    }
    try {
      values.push(JSON.parse(text) as Json);
    } catch (error) {
      return `${name} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return values;
}
