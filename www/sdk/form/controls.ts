// One form control per field kind, each reading and writing JSON values
// (`undefined` means "left empty"), labelled, with its hint and its error
// box wired through aria-describedby.

import type { Json } from "../types.js";
import { h } from "./dom.js";
import type { FieldSpec } from "./schema.js";
import type { WordKey } from "./strings.js";

export interface Control {
  readonly spec: FieldSpec;
  /** The element that takes focus and carries aria-invalid. */
  readonly input: HTMLElement;
  /** The whole labelled block, to put in the form. */
  readonly element: HTMLElement;
  /** Where this field's errors are written. */
  readonly errorBox: HTMLElement;
  read(): Json | undefined;
  write(value: Json | undefined): void;
}

/** What every control needs from the form: ids, words, read-only, and a change callback. */
export interface ControlContext {
  /** A DOM id for a pointer, unique on the page: `/address/city` -> `<form id>-address-city`. */
  id(pointer: string): string;
  t(key: WordKey, params?: Record<string, unknown>): string;
  /** The whole form is read-only (an app without update): every control too. */
  readOnly: boolean;
  onChange(): void;
}

/** Label, hint and error box around an input, wired with aria-describedby. */
function frame(spec: FieldSpec, input: HTMLElement, context: ControlContext, locked: boolean, labelAfter = false): { element: HTMLElement; errorBox: HTMLElement } {
  const id = context.id(spec.pointer);
  input.id = id;
  const errorBox = h("p", { id: `${id}-error`, class: "pf-error" });
  const hintText = [spec.readOnly ? context.t("readOnlyHint") : "", spec.description ?? ""].filter(Boolean).join(" ");
  const hint = hintText ? h("p", { id: `${id}-hint`, class: "pf-hint" }, hintText) : null;
  input.setAttribute("aria-describedby", [hint ? `${id}-hint` : "", `${id}-error`].filter(Boolean).join(" "));
  if (spec.required && !locked) input.setAttribute("aria-required", "true");
  const label = h(
    "label",
    { for: id },
    spec.label,
    spec.required && !locked ? h("span", { class: "pf-required", "aria-hidden": "true" }, " *") : null,
    spec.readOnly ? h("span", { class: "pf-badge" }, context.t("readOnlyBadge")) : null,
  );
  const element = h(
    "div",
    { class: `pf-field pf-field-${spec.kind}${locked ? " pf-locked" : ""}`, "data-pointer": spec.pointer },
    ...(labelAfter ? [input, label] : [label, input]),
    hint,
    errorBox,
  );
  return { element, errorBox };
}

const INPUT_TYPES = { text: "text", email: "email", tel: "tel", date: "date", number: "number", integer: "number" } as const;
const AUTOCOMPLETE: Partial<Record<string, string>> = { tel: "tel", email: "email" };

function textControl(spec: FieldSpec & { kind: keyof typeof INPUT_TYPES }, context: ControlContext, locked: boolean): Control {
  const input = h("input", {
    type: INPUT_TYPES[spec.kind],
    name: spec.pointer,
    readonly: locked,
    "aria-readonly": locked ? "true" : null,
    autocomplete: AUTOCOMPLETE[spec.kind] ?? "off",
    step: spec.kind === "integer" ? "1" : spec.kind === "number" ? "any" : null,
  });
  // Browsers' own constraint checks stay off (the form is `novalidate`): the module decides.
  const { element, errorBox } = frame(spec, input, context, locked);
  return {
    spec,
    input,
    element,
    errorBox,
    read() {
      if (input.value === "") return undefined;
      if (spec.kind === "number" || spec.kind === "integer") {
        const number = Number(input.value);
        return Number.isFinite(number) ? number : input.value;
      }
      return input.value;
    },
    write(value) {
      input.value = value === undefined || value === null ? "" : typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value);
    },
  };
}

function checkboxControl(spec: FieldSpec, context: ControlContext, locked: boolean): Control {
  // A checkbox cannot be `readonly`: a locked one is disabled.
  const input = h("input", { type: "checkbox", name: spec.pointer, disabled: locked });
  const { element, errorBox } = frame(spec, input, context, locked, true);
  return {
    spec,
    input,
    element,
    errorBox,
    read: () => input.checked,
    write(value) {
      input.checked = value === true;
    },
  };
}

/** A list of tags: Enter or comma adds the typed tag, each tag has a remove button, Backspace in the empty box removes the last. */
function tagsControl(spec: FieldSpec, context: ControlContext, locked: boolean): Control {
  let tags: string[] = [];
  const list = h("ul", { class: "pf-tags", "aria-label": context.t("tagsCurrent", { label: spec.label }) });
  const input = h("input", {
    type: "text",
    name: spec.pointer,
    readonly: locked,
    "aria-readonly": locked ? "true" : null,
    placeholder: locked ? null : context.t("tagPlaceholder"),
  });
  const render = () => {
    list.replaceChildren(
      ...tags.map((tag, index) =>
        h(
          "li",
          { class: "pf-tag" },
          h("span", {}, tag),
          locked
            ? null
            : h(
                "button",
                {
                  type: "button",
                  class: "pf-tag-remove",
                  "aria-label": context.t("removeTag", { tag }),
                  onclick: () => {
                    tags = tags.filter((_, at) => at !== index);
                    render();
                    input.focus();
                    context.onChange();
                  },
                },
                "×",
              ),
        ),
      ),
    );
  };
  const add = () => {
    const tag = input.value.replace(/,$/, "").trim();
    input.value = "";
    if (tag) tags = [...tags, tag];
    render();
    context.onChange();
  };
  input.addEventListener("keydown", (event) => {
    if (locked) return;
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      add();
    } else if (event.key === "Backspace" && input.value === "" && tags.length > 0) {
      tags = tags.slice(0, -1);
      render();
      context.onChange();
    }
  });
  input.addEventListener("blur", () => {
    if (!locked && input.value.trim()) add();
  });
  const { element, errorBox } = frame(spec, input, context, locked);
  element.insertBefore(list, input);
  return {
    spec,
    input,
    element,
    errorBox,
    read: () => (tags.length === 0 ? undefined : [...tags]),
    write(value) {
      tags = Array.isArray(value) ? value.map((item) => (typeof item === "string" ? item : JSON.stringify(item))) : [];
      input.value = "";
      render();
    },
  };
}

/** Anything the form has no widget for: JSON text. */
function jsonControl(spec: FieldSpec, context: ControlContext, locked: boolean): Control {
  const input = h("textarea", { name: spec.pointer, rows: 3, readonly: locked, "aria-readonly": locked ? "true" : null, spellcheck: "false" });
  const { element, errorBox } = frame(spec, input, context, locked);
  return {
    spec,
    input,
    element,
    errorBox,
    read() {
      if (input.value.trim() === "") return undefined;
      try {
        return JSON.parse(input.value) as Json;
      } catch {
        return input.value;
      }
    },
    write(value) {
      input.value = value === undefined ? "" : JSON.stringify(value);
    },
  };
}

export function control(spec: FieldSpec, context: ControlContext): Control {
  const locked = spec.readOnly || context.readOnly;
  switch (spec.kind) {
    case "checkbox":
      return checkboxControl(spec, context, locked);
    case "tags":
      return tagsControl(spec, context, locked);
    case "json":
    case "object":
      return jsonControl(spec, context, locked);
    default:
      return textControl({ ...spec, kind: spec.kind }, context, locked);
  }
}
