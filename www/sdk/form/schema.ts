// Reads a contract's `properties` into the field table a form is built
// from: labels, kinds, read-only, required and unique flags
// (docs/contracts.md, "title, type ... shown to forms"), in the order the
// contract document gives them (the server keeps the written order: never
// sorted here).

import type { Json, JsonObject } from "../types.js";

export type FieldKind = "text" | "email" | "tel" | "date" | "checkbox" | "number" | "integer" | "tags" | "object" | "json";

export interface FieldSpec {
  /** JSON Pointer of the field in the entity's data, e.g. `/address/city`. */
  pointer: string;
  name: string;
  /** The contract's `title`, else the member name in words (`zip_code` -> "Zip code"). */
  label: string;
  description: string | null;
  kind: FieldKind;
  readOnly: boolean;
  required: boolean;
  /** `x-pactum-unique`, or a role (e-mail, mobile): the server may refuse a value another entity holds. */
  unique: boolean;
  /** The members of a declared nested object. */
  children: FieldSpec[];
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A member name in words: `city` -> "City", `zip_code` and `zipCode` ->
 * "Zip code", `homeURL` -> "Home URL" (a word in capitals stays so).
 */
export function humanise(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[\s_\-.]+/)
    .filter(Boolean)
    .map((word) => (word.length > 1 && word === word.toUpperCase() ? word : word.toLowerCase()));
  const text = words.join(" ");
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : name;
}

/** The fields of `schema` (an object schema), in document order. */
export function fieldSpecs(schema: JsonObject, root: JsonObject = schema, base = ""): FieldSpec[] {
  const resolved = resolveRef(schema, root);
  const properties = resolved["properties"];
  if (!isObject(properties)) return [];
  const required = Array.isArray(resolved["required"]) ? resolved["required"] : [];
  return Object.entries(properties).flatMap(([name, raw]) => {
    if (!isObject(raw)) return [];
    const property = resolveRef(raw, root);
    const pointer = `${base}/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    const kind = kindOf(property);
    const role = property["x-pactum-role"];
    return [
      {
        pointer,
        name,
        label: typeof property["title"] === "string" && property["title"].trim() ? property["title"] : humanise(name),
        description: typeof property["description"] === "string" ? property["description"] : null,
        kind,
        readOnly: property["readOnly"] === true,
        required: required.includes(name),
        unique: base === "" && (property["x-pactum-unique"] === true || role === "email" || role === "mobile"),
        children: kind === "object" ? fieldSpecs(property, root, pointer) : [],
      },
    ];
  });
}

/** Every field, nested ones included, depth first in document order. */
export function flatten(specs: readonly FieldSpec[]): FieldSpec[] {
  return specs.flatMap((spec) => [spec, ...flatten(spec.children)]);
}

function kindOf(property: JsonObject): FieldKind {
  const type = property["type"];
  if (type === "boolean") return "checkbox";
  if (type === "integer") return "integer";
  if (type === "number") return "number";
  if (type === "array") {
    const items = property["items"];
    return !isObject(items) || items["type"] === undefined || items["type"] === "string" ? "tags" : "json";
  }
  if (type === "object") return isObject(property["properties"]) ? "object" : "json";
  if (type === "string" || type === undefined) {
    if (property["x-pactum-role"] === "mobile") return "tel";
    if (property["x-pactum-role"] === "email" || property["format"] === "email") return "email";
    if (property["format"] === "date") return "date";
    return "text";
  }
  return "json";
}

/** A local `$ref` (`#/$defs/x`) merged under the property's own keywords, which win. */
function resolveRef(schema: JsonObject, root: JsonObject): JsonObject {
  const ref = schema["$ref"];
  if (typeof ref !== "string" || !ref.startsWith("#/")) return schema;
  let target: Json | undefined = root;
  for (const token of ref.slice(2).split("/")) {
    target = isObject(target) ? target[token.replaceAll("~1", "/").replaceAll("~0", "~")] : undefined;
  }
  return isObject(target) ? { ...target, ...schema } : schema;
}
