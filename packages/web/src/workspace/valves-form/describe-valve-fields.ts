/** A JSON Schema node as zod's `toJSONSchema` writes valve schemas (the parts forms read). */
export interface JsonSchemaNode {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchemaNode;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  /** Open WebUI's input hint, from zod's `.meta({ input: { … } })`. */
  input?: { type?: string; options?: unknown[] };
  [key: string]: unknown;
}

export type ValveFieldKind =
  "text" | "password" | "textarea" | "number" | "integer" | "boolean" | "select" | "multiselect" | "list" | "json";

export interface ValveOption {
  value: unknown;
  label: string;
}

/** One form field, read from one property of the valves' JSON Schema. */
export interface ValveField {
  key: string;
  label: string;
  description?: string;
  kind: ValveFieldKind;
  hasDefault: boolean;
  defaultValue: unknown;
  /** In the schema's `required` list: it has no default, so the form must send a value. */
  isRequired: boolean;
  /** `null` is an accepted value. */
  isNullable: boolean;
  options: ValveOption[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
}

/** `maxTurns` → "Max turns", `api_key` → "Api key". */
export function humanizeKey(key: string): string {
  const words = key
    .replace(/[_-]+/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function typesOf(node: JsonSchemaNode): string[] {
  if (Array.isArray(node.type)) return node.type;
  if (typeof node.type === "string") return [node.type];
  return [];
}

/** `anyOf: [X, {type: "null"}]` (and `type: ["string", "null"]`) → X plus "nullable". */
function unwrapNullable(node: JsonSchemaNode): { node: JsonSchemaNode; isNullable: boolean } {
  const variants = node.anyOf ?? node.oneOf;
  if (variants) {
    const nonNull = variants.filter((variant) => !typesOf(variant).includes("null") || typesOf(variant).length > 1);
    if (nonNull.length === 1 && nonNull.length < variants.length) {
      const { anyOf: _anyOf, oneOf: _oneOf, ...outer } = node;
      return { node: { ...nonNull[0], ...outer }, isNullable: true };
    }
  }
  const types = typesOf(node);
  if (types.includes("null") && types.length === 2)
    return { node: { ...node, type: types.find((type) => type !== "null") }, isNullable: true };
  return { node, isNullable: false };
}

function toOption(option: unknown): ValveOption {
  if (typeof option === "object" && option !== null && "value" in option) {
    const { value, label, name } = option as { value: unknown; label?: unknown; name?: unknown };
    return { value, label: String(label ?? name ?? value) };
  }
  return { value: option, label: String(option) };
}

function kindOf(node: JsonSchemaNode, options: ValveOption[]): ValveFieldKind {
  const hint = node.input?.type;
  const [type] = typesOf(node);
  if (hint === "password") return "password";
  if (hint === "textarea") return "textarea";
  if (hint === "multiselect") return options.length > 0 ? "multiselect" : "list";
  if (type === "array") {
    if (options.length > 0) return "multiselect";
    const [itemType] = typesOf(node.items ?? {});
    return itemType === "string" ? "list" : "json";
  }
  if ((hint === "select" || node.enum) && options.length > 0) return "select";
  if (type === "boolean") return "boolean";
  if (type === "integer") return "integer";
  if (type === "number") return "number";
  if (type === "string") return "text";
  return "json";
}

function optionsOf(node: JsonSchemaNode): ValveOption[] {
  if (Array.isArray(node.input?.options)) return node.input.options.map(toOption);
  if (Array.isArray(node.enum)) return node.enum.map(toOption);
  if (Array.isArray(node.items?.enum)) return node.items.enum.map(toOption);
  return [];
}

/**
 * The fields of a valves form, in the schema's order.
 *
 * @example
 * describeValveFields({ type: "object", properties: { maxTurns: { type: "integer", minimum: 1, default: 8 } } });
 * // [{ key: "maxTurns", label: "Max turns", kind: "integer", minimum: 1, defaultValue: 8, … }]
 */
export function describeValveFields(schema: JsonSchemaNode | null | undefined): ValveField[] {
  if (!schema || typeof schema.properties !== "object" || schema.properties === null) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([key, property]) => {
    const { node, isNullable } = unwrapNullable(property ?? {});
    const options = optionsOf(node);
    const hasDefault = Object.hasOwn(node, "default");
    return {
      key,
      label: typeof node.title === "string" && node.title ? node.title : humanizeKey(key),
      description: typeof node.description === "string" ? node.description : undefined,
      kind: kindOf(node, options),
      hasDefault,
      defaultValue: hasDefault ? node.default : undefined,
      isRequired: required.has(key) && !hasDefault,
      isNullable,
      options,
      minimum: node.minimum,
      maximum: node.maximum,
      exclusiveMinimum: node.exclusiveMinimum,
      exclusiveMaximum: node.exclusiveMaximum,
      multipleOf: node.multipleOf,
      minLength: node.minLength,
      maxLength: node.maxLength,
      pattern: node.pattern,
      minItems: node.minItems,
      maxItems: node.maxItems,
    };
  });
}
