import { SluiceError } from "../errors.ts";
import { describeValue } from "./describe-value.ts";

/**
 * Throws a `PLUGIN_ERROR` naming the first place where `value` is not plain JSON data (a function,
 * a class instance such as a Date or a Map, a bigint, a cycle): "`subject` is not plain JSON data:
 * `root`.when is a Date". `undefined` is accepted: JSON drops it.
 */
export function assertJsonValue(value: unknown, subject: string, root: string): void {
  const problem = findProblem(value, root, new Set());
  if (problem) throw new SluiceError("PLUGIN_ERROR", `${subject} is not plain JSON data: ${problem}`);
}

function findProblem(value: unknown, path: string, ancestors: Set<object>): string | null {
  if (value === null || value === undefined) return null;
  const type = typeof value;
  if (type === "string" || type === "number" || type === "boolean") return null;
  if (type !== "object") return `${path} is ${describeValue(value)}`;
  const object = value as object;
  if (ancestors.has(object)) return `${path} refers back to itself (a cycle)`;
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      for (let index = 0; index < object.length; index++) {
        const problem = findProblem(object[index], `${path}[${index}]`, ancestors);
        if (problem) return problem;
      }
      return null;
    }
    const prototype = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) {
      const hint = object instanceof Date ? " (use toISOString())" : "";
      return `${path} is ${describeValue(object)}${hint}`;
    }
    for (const key in object) {
      const problem = findProblem((object as Record<string, unknown>)[key], `${path}.${key}`, ancestors);
      if (problem) return problem;
    }
    return null;
  } finally {
    ancestors.delete(object);
  }
}
