import type { z } from "zod";
import type { PluginContext } from "./plugin-context.ts";
import type { Awaitable, InferValves, ValvesSchema } from "./valves-schema.ts";

/**
 * A tool's parameters: a zod object schema; `.describe()` texts become the descriptions the model
 * reads.
 *
 * @example
 * const parameters: ToolParameters = z.object({ city: z.string().describe("City name") });
 */
export type ToolParameters = z.ZodObject<z.core.$ZodShape, z.core.$ZodObjectConfig>;

/**
 * One tool of {@link defineTools}. `execute` receives the validated arguments and returns a string
 * or a JSON-serialisable value; throw (or return an error text) on failure.
 *
 * @example
 * const weather: ToolDefinition<typeof parameters> = {
 *   description: "Current weather",
 *   parameters,
 *   execute: ({ city }) => `Sunny in ${city}`,
 * };
 */
export interface ToolDefinition<
  P extends ToolParameters = ToolParameters,
  V extends ValvesSchema | undefined = undefined,
  UV extends ValvesSchema | undefined = undefined,
> {
  description: string;
  parameters: P;
  execute(args: z.output<P>, ctx: PluginContext<InferValves<V>, InferValves<UV>>): Awaitable<unknown>;
}

/**
 * What {@link defineTools} takes: the tools by name (a name is what the model calls:
 * letters, digits, `_` and `-`, at most 64).
 *
 * @example
 * const definition: ToolsDefinition<undefined, undefined, { ping: typeof parameters }> = { tools: { ping: { description: "Ping", parameters, execute: () => "pong" } } };
 */
export interface ToolsDefinition<
  V extends ValvesSchema | undefined = undefined,
  UV extends ValvesSchema | undefined = undefined,
  T extends Record<string, ToolParameters> = Record<string, ToolParameters>,
> {
  /** Admin valves: a zod object schema. */
  valves?: V;
  /** Per-user valves: a zod object schema. */
  userValves?: UV;
  tools: { [Name in keyof T]: ToolDefinition<T[Name], V, UV> };
}

/**
 * A tools plugin: what {@link defineTools} returns and the module's default export.
 *
 * @example
 * const plugin: ToolsPlugin = defineTools({ tools: {} });
 */
export type ToolsPlugin<
  V extends ValvesSchema | undefined = undefined,
  UV extends ValvesSchema | undefined = undefined,
  T extends Record<string, ToolParameters> = Record<string, ToolParameters>,
> = Readonly<ToolsDefinition<V, UV, T> & { kind: "tools" }>;

/**
 * Defines tools the model may call. Each tool's OpenAI function spec is derived from its zod
 * `parameters`; arguments are validated before `execute` runs.
 *
 * @example
 * export default defineTools({
 *   valves: z.object({ apiKey: z.string().default("").meta({ input: { type: "password" } }) }),
 *   tools: {
 *     weather: {
 *       description: "Current weather for a city",
 *       parameters: z.object({ city: z.string().describe("City name") }),
 *       async execute({ city }, ctx) {
 *         const response = await ctx.fetch(`https://api.example.com/weather?q=${encodeURIComponent(city)}&key=${ctx.valves.apiKey}`);
 *         return response.json();
 *       },
 *     },
 *   },
 * });
 * @example
 * // The class form: a class named `Tools` (or the default export) whose methods listed in a
 * // `tools` map of `{ description, parameters }` (instance or static) are the tools; methods
 * // starting with `_` stay private helpers.
 * export class Tools {
 *   static tools = { shout: { description: "Upper-case a text", parameters: z.object({ text: z.string() }) } };
 *   shout({ text }: { text: string }) {
 *     return this._loud(text);
 *   }
 *   _loud(text: string) {
 *     return text.toUpperCase();
 *   }
 * }
 */
export function defineTools<
  V extends ValvesSchema | undefined = undefined,
  UV extends ValvesSchema | undefined = undefined,
  T extends Record<string, ToolParameters> = Record<string, ToolParameters>,
>(definition: ToolsDefinition<V, UV, T>): ToolsPlugin<V, UV, T> {
  return Object.freeze({ ...definition, kind: "tools" as const });
}
