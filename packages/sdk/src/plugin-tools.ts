/**
 * A tool of the request, as `ctx.tools.list()` answers it: the name the model would see (a name
 * two tool modules share gets the later module's id as prefix), its description and its
 * parameters as JSON Schema.
 *
 * @example
 * const tool: ToolInfo = { name: "add", description: "Adds two numbers", parameters: { type: "object", properties: { a: { type: "number" } } } };
 */
export interface ToolInfo {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/**
 * `ctx.tools`: the request's tools (its `tool_ids` and the model's), for pipes and filters, so an
 * agent pipe can run its own tool loop. `call` runs the tool in its own sandbox, as a model's tool
 * call would, and its events (status, sources) go to the same message. Arguments are checked
 * against the tool's parameters schema: bad ones fail with INVALID_INPUT, an unknown name with
 * NOT_FOUND. The tools are known once the inlet filters ran: pipes and the `stream`, `request` and
 * `outlet` hooks have them; `inlet`, actions and tools themselves do not.
 *
 * @example
 * const tools = await ctx.tools.list();
 * const weather = tools.find((tool) => tool.name === "forecast");
 * if (weather) return String(await ctx.tools.call("forecast", { city: "Oslo" }));
 */
export interface PluginTools {
  list(): Promise<ToolInfo[]>;
  /** Resolves with the tool's result (a string or a JSON value). */
  call(name: string, args?: Record<string, unknown>): Promise<unknown>;
}
