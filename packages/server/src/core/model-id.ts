import { z } from "zod";

const MAX_LENGTH = 256;
// Upstream ids look like `gpt-4o`, `llama3.1:8b`, `openai/gpt-4o`, `meta-llama/Llama-3.1-8B-Instruct`,
// and pipe models like `my_pipe.sub-model`: letters, digits and a few separators.
const CHARACTERS = /^[A-Za-z0-9][A-Za-z0-9._:@+\-/]*$/;

/** Why `id` is not a model id a row may be stored under, or undefined when it is one. */
export function modelIdProblem(id: string): string | undefined {
  if (id.length === 0) return "id is required";
  if (id.length > MAX_LENGTH) return `id is too long (${MAX_LENGTH} characters at most)`;
  if (!CHARACTERS.test(id)) return "id may hold only letters, digits and . _ : @ + - / and must start with a letter or digit";
  if (id.split("/").some((segment) => segment === "" || segment === "." || segment === ".."))
    return "id may not have empty, . or .. parts between slashes";
  // `constructor`, `toString`, …: names every plain object already has.
  if (Object.hasOwn(Object.prototype, id)) return `"${id}" is reserved`;
  return undefined;
}

/**
 * A model id as stored in a model row: the id of an upstream or pipe model (whose settings the
 * row holds) or of a custom model. Plugin ids are stricter (`[a-z0-9_]`), but a settings row must
 * match the upstream's own id, so the rule admits what upstreams use and refuses what could act
 * as a path (`../x`, `/x`, `a//b`), a control character (NUL) or an object property (`__proto__`).
 *
 * @example
 * modelIdSchema.parse("openai/gpt-4o"); // "openai/gpt-4o"
 * modelIdSchema.safeParse("../x").success; // false
 */
export const modelIdSchema = z
  .string()
  .trim()
  .superRefine((id, context) => {
    const problem = modelIdProblem(id);
    if (problem) context.addIssue({ code: "custom", message: problem });
  });
