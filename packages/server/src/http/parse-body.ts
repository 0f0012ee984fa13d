import { SluiceError } from "@sluice/sdk";
import type { z } from "zod";

/**
 * Parses a request body (or params, or query) with a zod schema at the HTTP boundary.
 * A failure is a 400 whose detail names each invalid field.
 */
export function parseInput<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.join("."),
    message: issue.message,
  }));
  const text = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ");
  throw new SluiceError("INVALID_INPUT", text, { details: issues });
}
