// The server's dry run on submit-intent: when a unique field (an
// `x-pactum-unique` one, or one with the e-mail or mobile role) loses
// focus with a new value the module accepts, the form asks the server
// what a save of that value would answer (`PUT ...?dryRun=true`: the same
// status, code and body, nothing committed) and shows its field errors
// (400.2, 400.4, 400.5: another entity holds the value) before Save.

import type { FieldError, Json } from "../types.js";
import type { Answer } from "./client.js";
import { sameJson } from "./fields.js";

/** `auto`: only when the server documents the switch; `on`: always; `off`: never. */
export type DryRunMode = "auto" | "on" | "off";

export function dryRunMode(value: string | null): DryRunMode {
  return value === "on" || value === "off" ? value : value === "true" || value === "" ? "on" : value === "false" ? "off" : "auto";
}

interface Result {
  value: Json;
  errors: FieldError[];
}

export class DryRuns {
  private readonly results = new Map<string, Result>();
  /** The value each pointer was last asked about, so one value is asked once. */
  private readonly asked = new Map<string, Json>();

  /** Whether `value` at `pointer` still needs asking about (not asked yet). */
  needed(pointer: string, value: Json): boolean {
    const asked = this.asked.get(pointer);
    return asked === undefined || !sameJson(asked, value);
  }

  started(pointer: string, value: Json): void {
    this.asked.set(pointer, value);
  }

  /** Keeps the answer's errors at `pointer` (none for an accepted value). */
  answered(pointer: string, value: Json, answer: Answer): void {
    if (!sameJson(this.asked.get(pointer), value)) return; // a newer value is being asked about
    const errors = answer.ok ? [] : (answer.problem.errors ?? []).filter((error) => error.pointer === pointer || error.pointer.startsWith(`${pointer}/`));
    this.results.set(pointer, { value, errors });
  }

  /** The errors that still apply: those whose field still holds the value they were about. */
  errors(valueAt: (pointer: string) => Json | undefined): FieldError[] {
    return [...this.results].flatMap(([pointer, result]) => (sameJson(valueAt(pointer), result.value) ? result.errors : []));
  }

  forget(): void {
    this.results.clear();
    this.asked.clear();
  }
}
