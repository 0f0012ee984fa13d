import type { z } from "zod";

/**
 * A zod object schema used for a plugin's `valves` or `userValves`.
 *
 * @example
 * const valves: ValvesSchema = z.object({ maxTurns: z.number().int().default(8) });
 */
export type ValvesSchema = z.ZodObject<z.core.$ZodShape, z.core.$ZodObjectConfig>;

/**
 * The parsed value type of a valves schema, or `{}` (no keys) when the plugin has none.
 *
 * @example
 * type Valves = InferValves<typeof valves>; // { maxTurns: number }
 */
export type InferValves<Schema> = Schema extends ValvesSchema ? z.output<Schema> : Record<never, never>;

/**
 * A value or a promise of it: hooks may be synchronous or `async`.
 *
 * @example
 * const inlet = (body: ChatBody): Awaitable<ChatBody> => body;
 */
export type Awaitable<T> = T | Promise<T>;
