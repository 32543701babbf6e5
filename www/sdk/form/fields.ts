// The fields of a contract rendered as form controls: one per field,
// nested objects as fieldsets with a legend. It knows the entity as
// stored, answers the update payload (only what the person changed), and
// puts errors under the fields (aria-invalid, aria-describedby).

import type { FieldMessage } from "../catalogue.js";
import type { Json, JsonObject } from "../types.js";
import { control } from "./controls.js";
import type { Control, ControlContext } from "./controls.js";
import { h } from "./dom.js";
import { isObject } from "./schema.js";
import type { FieldSpec } from "./schema.js";

/** Where an object field's own errors go (e.g. a missing member reported at `/address`). */
interface Group {
  spec: FieldSpec;
  element: HTMLFieldSetElement;
  errorBox: HTMLElement;
}

export class Fields {
  readonly element: HTMLElement;
  private readonly controls = new Map<string, Control>();
  private readonly groups = new Map<string, Group>();

  constructor(
    readonly specs: FieldSpec[],
    private readonly context: ControlContext,
  ) {
    this.element = h("div", { class: "pf-fields" }, ...specs.map((spec) => this.build(spec)));
  }

  /** Shows the stored entity. */
  write(entity: JsonObject): void {
    const walk = (specs: FieldSpec[], data: JsonObject) => {
      for (const spec of specs) {
        const value = data[spec.name];
        if (spec.kind === "object" && spec.children.length > 0) walk(spec.children, isObject(value) ? value : {});
        else this.controls.get(spec.pointer)?.write(value);
      }
    };
    walk(this.specs, entity);
  }

  /** The update payload: every editable field whose value differs from `current`; an emptied field is `null`. */
  payload(current: JsonObject): JsonObject {
    const walk = (specs: FieldSpec[], stored: JsonObject): JsonObject => {
      const payload: JsonObject = {};
      for (const spec of specs) {
        if (spec.readOnly) continue;
        const now = stored[spec.name];
        if (spec.kind === "object" && spec.children.length > 0) {
          const inner = walk(spec.children, isObject(now) ? now : {});
          if (Object.keys(inner).length > 0) payload[spec.name] = inner;
          continue;
        }
        const value = this.controls.get(spec.pointer)?.read();
        const absent = now === undefined || now === null;
        if (value === undefined || (value === false && spec.kind === "checkbox" && absent)) {
          if (!absent && value === undefined) payload[spec.name] = null;
        } else if (!sameJson(value, now)) {
          payload[spec.name] = value;
        }
      }
      return payload;
    };
    return walk(this.specs, current);
  }

  /** The control of a top-level or nested field, by pointer. */
  control(pointer: string): Control | undefined {
    return this.controls.get(pointer);
  }

  /** The control an event came from (e.g. a blur), if it is one of this form's inputs. */
  controlOf(target: EventTarget | null): Control | undefined {
    for (const made of this.controls.values()) if (made.input === target) return made;
    return undefined;
  }

  /** Writes each message under its field; answers those that match no field. */
  showErrors(messages: Map<string, FieldMessage[]>): FieldMessage[] {
    const placed = new Map<HTMLElement, FieldMessage[]>();
    const unplaced: FieldMessage[] = [];
    for (const [pointer, list] of messages) {
      const target = this.owner(pointer);
      if (!target) unplaced.push(...list);
      else placed.set(target.errorBox, [...(placed.get(target.errorBox) ?? []), ...list]);
    }
    for (const owner of [...this.controls.values(), ...this.groups.values()]) {
      const list = placed.get(owner.errorBox) ?? [];
      owner.errorBox.replaceChildren(...list.map((message) => errorLine(message.text, message.code)));
      const invalidTarget = "input" in owner ? owner.input : owner.element;
      if (list.length > 0) invalidTarget.setAttribute("aria-invalid", "true");
      else invalidTarget.removeAttribute("aria-invalid");
    }
    return unplaced;
  }

  /** Moves focus to the first field showing an error (a fieldset's first control for a group's own error). */
  focusFirstError(): boolean {
    const first = this.element.querySelector<HTMLElement>("[aria-invalid='true']");
    if (!first) return false;
    const target = first instanceof HTMLFieldSetElement ? (first.querySelector<HTMLElement>("input, textarea, select") ?? first) : first;
    target.focus();
    return true;
  }

  /** The label of the field at a pointer (the nearest one shown). */
  label(pointer: string): string {
    return this.owner(pointer)?.spec.label ?? pointer;
  }

  /** The field (or nested object) a pointer belongs to: the longest match. */
  private owner(pointer: string): Control | Group | undefined {
    for (let at = pointer; at !== ""; at = at.slice(0, at.lastIndexOf("/"))) {
      const found = this.controls.get(at) ?? this.groups.get(at);
      if (found) return found;
    }
    return undefined;
  }

  private build(spec: FieldSpec): HTMLElement {
    if (spec.kind === "object" && spec.children.length > 0) {
      const id = this.context.id(spec.pointer);
      const errorBox = h("p", { id: `${id}-error`, class: "pf-error" });
      const element = h(
        "fieldset",
        { id, class: "pf-group", "aria-describedby": `${id}-error`, "data-pointer": spec.pointer },
        h("legend", {}, spec.label),
        ...spec.children.map((child) => this.build(child)),
        errorBox,
      );
      this.groups.set(spec.pointer, { spec, element, errorBox });
      return element;
    }
    const made = control(spec, this.context);
    this.controls.set(spec.pointer, made);
    return made.element;
  }
}

/** One error as shown: a warning sign (not read out) and the words, which start with a capital (CSS). */
export function errorLine(text: string, code?: string): HTMLElement {
  return h("span", { class: "pf-message", "data-code": code ?? null }, h("span", { class: "pf-icon", "aria-hidden": "true" }, "⚠ "), h("span", { class: "pf-text" }, text));
}

/** JSON equality (member order ignored). */
export function sameJson(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameJson(item, b[index]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => sameJson(a[key], b[key]));
  }
  return false;
}
