import { SluiceError } from "../errors.ts";
import type { PluginTools, ToolInfo } from "../plugin-tools.ts";
import { assertJsonValue } from "./assert-json-value.ts";
import type { HostServe } from "./create-serve.ts";
import { describeValue, isPlainObject } from "./describe-value.ts";

/**
 * `ctx.tools` over the host's service channel (methods `tools.*`); the host finds the request's
 * tools and the tool checks its arguments in its own sandbox.
 *
 * @example
 * const tools = createTools(createServe(host, invocationId));
 * const sum = await tools.call("add", { a: 2, b: 3 });
 */
export function createTools(serve: HostServe): PluginTools {
  return Object.freeze({
    list: async () => (await serve("tools.list")) as ToolInfo[],
    async call(name: string, args: Record<string, unknown> = {}) {
      if (typeof name !== "string" || name === "")
        throw new SluiceError("INVALID_INPUT", `ctx.tools.call expects a tool name, got ${describeValue(name)}`);
      if (!isPlainObject(args ?? {}))
        throw new SluiceError("INVALID_INPUT", `ctx.tools.call("${name}") expects an arguments object, got ${describeValue(args)}`);
      assertJsonValue(args ?? {}, `ctx.tools.call("${name}")`, "args");
      return serve("tools.call", name, args ?? {});
    },
  });
}
