import { SluiceError } from "../errors.ts";
import type { ToolInfo } from "../plugin-tools.ts";
import type { HostServeRequest } from "../runtime/types.ts";

/**
 * A tool the test offers a pipe or filter through `ctx.tools`: its spec, and what it answers.
 *
 * @example
 * const add: TestTool = { description: "Adds", parameters: { type: "object" }, run: ({ a, b }) => Number(a) + Number(b) };
 */
export interface TestTool {
  description?: string;
  parameters?: Record<string, unknown>;
  run(args: Record<string, unknown>): unknown;
}

/**
 * `ctx.tools` for the test harness: the request's tools are the ones the test names; each call is
 * recorded. An unknown name fails with NOT_FOUND, as on the server.
 *
 * @example
 * const tools = createTestTools({ add: { run: ({ a, b }) => Number(a) + Number(b) } });
 */
export function createTestTools(tools: Record<string, TestTool> = {}) {
  const calls: Array<{ name: string; args: Record<string, unknown> }> = [];
  return {
    calls,
    async serve(request: HostServeRequest): Promise<unknown> {
      if (request.method === "tools.list") {
        return Object.entries(tools).map(([name, tool]): ToolInfo => ({
          name,
          description: tool.description ?? "",
          parameters: tool.parameters ?? { type: "object", properties: {} },
        }));
      }
      if (request.method === "tools.call") {
        const [name, args] = request.args as [string, Record<string, unknown>];
        const tool = Object.hasOwn(tools, name) ? tools[name] : undefined;
        if (!tool)
          throw new SluiceError(
            "NOT_FOUND",
            `There is no tool named "${name}" in this request (it has ${Object.keys(tools).join(", ") || "none"})`,
          );
        calls.push({ name, args });
        return tool.run(args);
      }
      throw new SluiceError("INVALID_INPUT", `The test harness has no host method "${request.method}"`);
    },
  };
}
