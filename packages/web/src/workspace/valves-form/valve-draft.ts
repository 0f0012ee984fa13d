import type { ValveField } from "./describe-valve-fields.ts";

/**
 * What the form holds for one field: whether the user set it ("Custom") or leaves it to the
 * plugin's default, and the input's state (text, a checkbox, or the chosen option keys).
 */
export interface ValveDraft {
  isCustom: boolean;
  input: string | boolean | string[];
}

export type ReadResult = { value: unknown } | { error: string };

/** A stable key for an option's value (options may be numbers, strings or booleans). */
export function optionKey(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

function toText(field: ValveField, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (field.kind === "list") return Array.isArray(value) ? value.map(String).join("\n") : String(value);
  if (field.kind === "json") return JSON.stringify(value, null, 2);
  return String(value);
}

/** The input state that shows `value` in the field's input. */
export function toDraftInput(field: ValveField, value: unknown): ValveDraft["input"] {
  switch (field.kind) {
    case "boolean":
      return value === true;
    case "select":
      return value === undefined || value === null ? "" : optionKey(value);
    case "multiselect":
      return Array.isArray(value) ? value.map(optionKey) : [];
    default:
      return toText(field, value);
  }
}

/**
 * The draft of a field given the stored values (only keys that were set are stored): custom when
 * stored, or when the schema has no default (then a value must be sent).
 */
export function createDraft(field: ValveField, stored: Record<string, unknown>): ValveDraft {
  const isStored = Object.hasOwn(stored, field.key) && stored[field.key] !== null;
  const isCustom = isStored || !field.hasDefault;
  return { isCustom, input: toDraftInput(field, isStored ? stored[field.key] : field.defaultValue) };
}

function checkNumber(field: ValveField, text: string): ReadResult {
  if (text.trim() === "") return { error: "Enter a number" };
  const value = Number(text);
  if (!Number.isFinite(value)) return { error: "Enter a number" };
  if (field.kind === "integer" && !Number.isInteger(value)) return { error: "Enter a whole number" };
  if (field.minimum !== undefined && value < field.minimum) return { error: `Must be at least ${field.minimum}` };
  if (field.maximum !== undefined && value > field.maximum) return { error: `Must be at most ${field.maximum}` };
  if (field.exclusiveMinimum !== undefined && value <= field.exclusiveMinimum)
    return { error: `Must be more than ${field.exclusiveMinimum}` };
  if (field.exclusiveMaximum !== undefined && value >= field.exclusiveMaximum)
    return { error: `Must be less than ${field.exclusiveMaximum}` };
  if (field.multipleOf !== undefined && Math.abs(value / field.multipleOf - Math.round(value / field.multipleOf)) > 1e-9) {
    return { error: `Must be a multiple of ${field.multipleOf}` };
  }
  return { value };
}

function checkText(field: ValveField, text: string): ReadResult {
  const length = [...text].length;
  if (field.minLength !== undefined && length < field.minLength) {
    return { error: field.minLength === 1 ? "Required" : `Must be at least ${field.minLength} characters` };
  }
  if (field.maxLength !== undefined && length > field.maxLength) return { error: `Must be at most ${field.maxLength} characters` };
  if (field.pattern !== undefined) {
    let pattern: RegExp | undefined;
    try {
      pattern = new RegExp(field.pattern, "u");
    } catch {
      // A pattern the browser cannot compile is left to the server.
    }
    if (pattern && !pattern.test(text)) return { error: `Must match ${field.pattern}` };
  }
  return { value: text };
}

function checkCount(field: ValveField, items: unknown[]): ReadResult {
  if (field.minItems !== undefined && items.length < field.minItems) return { error: `Choose at least ${field.minItems}` };
  if (field.maxItems !== undefined && items.length > field.maxItems) return { error: `Choose at most ${field.maxItems}` };
  return { value: items };
}

/**
 * The value to send for a field, or why it is invalid. A field left at its default sends `null`
 * ("use the default"), so the server stores only the keys that were set.
 *
 * @example
 * readDraft({ kind: "integer", minimum: 1, … }, { isCustom: true, input: "0" }); // { error: "Must be at least 1" }
 * readDraft(field, { isCustom: false, input: "8" }); // { value: null }
 */
export function readDraft(field: ValveField, draft: ValveDraft): ReadResult {
  if (!draft.isCustom) return { value: null };
  const { input } = draft;
  switch (field.kind) {
    case "boolean":
      return { value: input === true };
    case "number":
    case "integer":
      return checkNumber(field, String(input));
    case "select": {
      const option = field.options.find((candidate) => optionKey(candidate.value) === input);
      return option ? { value: option.value } : { error: "Choose one of the options" };
    }
    case "multiselect": {
      const keys = Array.isArray(input) ? input : [];
      return checkCount(
        field,
        field.options.filter((option) => keys.includes(optionKey(option.value))).map((option) => option.value),
      );
    }
    case "list": {
      const items = String(input)
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean);
      return checkCount(field, items);
    }
    case "json": {
      const text = String(input).trim();
      if (text === "") return field.isNullable ? { value: null } : { error: "Enter a JSON value" };
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { error: "Not valid JSON" };
      }
    }
    default:
      return checkText(field, String(input));
  }
}

/**
 * Reads every field: the body for `…/valves/update` (`null` for fields left at their default)
 * and the errors by field key. Send only when `errors` is empty.
 */
export function collectValves(
  fields: ValveField[],
  drafts: Record<string, ValveDraft>,
): { values: Record<string, unknown>; errors: Record<string, string> } {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const draft = drafts[field.key] ?? createDraft(field, {});
    const result = readDraft(field, draft);
    if ("error" in result) errors[field.key] = result.error;
    else values[field.key] = result.value;
  }
  return { values, errors };
}

/**
 * The server's per-field errors (`errors: [{path, message}]` next to `detail` in a 400) by field
 * key; issues without a known field are returned apart.
 */
export function fieldErrorsFromBody(body: unknown, fields: ValveField[]): { byField: Record<string, string>; other: string[] } {
  const byField: Record<string, string> = {};
  const other: string[] = [];
  const issues = typeof body === "object" && body !== null ? (body as { errors?: unknown }).errors : undefined;
  if (!Array.isArray(issues)) return { byField, other };
  const keys = new Set(fields.map((field) => field.key));
  for (const issue of issues) {
    if (typeof issue !== "object" || issue === null) continue;
    const { path, message } = issue as { path?: unknown; message?: unknown };
    const text = typeof message === "string" ? message : "Invalid value";
    const key = (Array.isArray(path) ? String(path[0] ?? "") : String(path ?? "")).split(".")[0]!;
    if (keys.has(key)) byField[key] = byField[key] ? `${byField[key]}; ${text}` : text;
    else other.push(key ? `${key}: ${text}` : text);
  }
  return { byField, other };
}
