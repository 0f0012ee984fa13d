import { SluiceError } from "../errors.ts";
import { describeValue } from "./describe-value.ts";

// Stream chunks pass through here, so nothing is allocated while the value is fine: a depth bound
// stands in for cycle detection (chat JSON is a few levels deep), and the path of a problem is
// built only on the way back up.
const MAX_DEPTH = 200;

type Problem = { path: string; what: string };

/**
 * Throws a `PLUGIN_ERROR` naming the first place where `value` is not plain JSON data (a function,
 * a class instance such as a Date or a Map, a bigint, a cycle): "`subject` is not plain JSON data:
 * `root`.when is a Date". `undefined` is accepted: JSON drops it.
 *
 * @example
 * assertJsonValue({ when: new Date() }, "What inlet returned", "body");
 * // throws: What inlet returned is not plain JSON data: body.when is a Date (use toISOString())
 */
export function assertJsonValue(value: unknown, subject: string, root: string): void {
  const problem = findProblem(value, 0);
  if (problem) throw new SluiceError("PLUGIN_ERROR", `${subject} is not plain JSON data: ${root}${problem.path} ${problem.what}`);
}

function findProblem(value: unknown, depth: number): Problem | null {
  if (value === null || value === undefined) return null;
  const type = typeof value;
  if (type === "string" || type === "number" || type === "boolean") return null;
  if (type !== "object") return { path: "", what: `is ${describeValue(value)}` };
  if (depth > MAX_DEPTH) return { path: "", what: `is nested more than ${MAX_DEPTH} levels deep (does it refer back to itself?)` };
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const problem = findProblem(value[index], depth + 1);
      if (problem) return { path: `[${index}]${problem.path}`, what: problem.what };
    }
    return null;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    return { path: "", what: `is ${describeValue(value)}${value instanceof Date ? " (use toISOString())" : ""}` };
  }
  for (const key in value as object) {
    const problem = findProblem((value as Record<string, unknown>)[key], depth + 1);
    if (problem) return { path: `.${key}${problem.path}`, what: problem.what };
  }
  return null;
}
