// One form control per field kind, each reading and writing JSON values.
// `undefined` means "left empty".

import type { Json } from "../sdk/index.js";
import { h } from "./dom.js";
import type { FieldSpec } from "./schema.js";

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

/** A DOM id for a pointer: `/address/city` -> `field-address-city`. */
export function fieldId(pointer: string): string {
  return `field${pointer.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

/** Label, hint and error box around an input, wired with aria-describedby. */
function frame(spec: FieldSpec, input: HTMLElement, options: { labelAfter?: boolean } = {}): { element: HTMLElement; errorBox: HTMLElement } {
  const id = fieldId(spec.pointer);
  input.id = id;
  const errorBox = h("p", { id: `${id}-error`, class: "field-error" });
  const hint = spec.description || spec.readOnly ? h("p", { id: `${id}-hint`, class: "hint" }, spec.readOnly ? "Shown, not changeable through this contract. " : "", spec.description ?? "") : null;
  input.setAttribute("aria-describedby", [hint ? `${id}-hint` : "", `${id}-error`].filter(Boolean).join(" "));
  if (spec.required) input.setAttribute("aria-required", "true");
  const label = h("label", { for: id }, spec.title, spec.required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null, spec.readOnly ? h("span", { class: "badge" }, "read-only") : null);
  const element = h("div", { class: `field field-${spec.kind}${spec.readOnly ? " locked" : ""}` }, ...(options.labelAfter ? [input, label] : [label, input]), hint, errorBox);
  return { element, errorBox };
}

const INPUT_TYPES = { text: "text", email: "email", tel: "tel", date: "date", number: "number", integer: "number" } as const;

function textControl(spec: FieldSpec & { kind: keyof typeof INPUT_TYPES }): Control {
  const input = h("input", {
    type: INPUT_TYPES[spec.kind],
    name: spec.pointer,
    readonly: spec.readOnly,
    "aria-readonly": spec.readOnly ? "true" : null,
    autocomplete: spec.kind === "tel" ? "tel" : spec.kind === "email" ? "email" : "off",
    step: spec.kind === "integer" ? "1" : spec.kind === "number" ? "any" : null,
  });
  // Browsers' own constraint checks stay off (the form is `novalidate`): the module decides.
  const { element, errorBox } = frame(spec, input);
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

function checkboxControl(spec: FieldSpec): Control {
  const input = h("input", { type: "checkbox", name: spec.pointer, disabled: spec.readOnly });
  const { element, errorBox } = frame(spec, input, { labelAfter: true });
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
function tagsControl(spec: FieldSpec, onChange: () => void): Control {
  let tags: string[] = [];
  const list = h("ul", { class: "tags", "aria-label": `${spec.title}: current tags` });
  const input = h("input", { type: "text", name: spec.pointer, readonly: spec.readOnly, placeholder: spec.readOnly ? "" : "Type a tag, press Enter" });
  const render = () => {
    list.replaceChildren(
      ...tags.map((tag, index) =>
        h(
          "li",
          { class: "tag" },
          h("span", {}, tag),
          spec.readOnly
            ? null
            : h(
                "button",
                {
                  type: "button",
                  class: "tag-remove",
                  "aria-label": `Remove ${tag}`,
                  onclick: () => {
                    tags = tags.filter((_, at) => at !== index);
                    render();
                    input.focus();
                    onChange();
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
    onChange();
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      add();
    } else if (event.key === "Backspace" && input.value === "" && tags.length > 0) {
      tags = tags.slice(0, -1);
      render();
      onChange();
    }
  });
  input.addEventListener("blur", () => {
    if (input.value.trim()) add();
  });
  const { element, errorBox } = frame(spec, input);
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
function jsonControl(spec: FieldSpec): Control {
  const input = h("textarea", { name: spec.pointer, rows: 3, readonly: spec.readOnly, spellcheck: "false" });
  const { element, errorBox } = frame(spec, input);
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

export function control(spec: FieldSpec, onChange: () => void): Control {
  switch (spec.kind) {
    case "checkbox":
      return checkboxControl(spec);
    case "tags":
      return tagsControl(spec, onChange);
    case "json":
    case "object":
      return jsonControl(spec);
    default:
      return textControl({ ...spec, kind: spec.kind });
  }
}
