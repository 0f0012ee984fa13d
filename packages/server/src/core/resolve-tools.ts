import { SluiceError, type ToolCall } from "@sluice/sdk";
import { canRead } from "./access-control.ts";
import type { ToolRecord } from "./records.ts";
import type { PluginSession, PluginStore, RequestTools, TurnLog, TurnUser } from "./ports.ts";

interface ToolEntry {
  record: ToolRecord;
  /** The tool's own name inside its module. */
  toolName: string;
}

export interface ToolResult {
  toolCallId: string;
  name: string;
  content: string;
  isError: boolean;
}

/** The OpenAI `tools` entries and the executor for the tools of one request; plugins reach them as `ctx.tools`. */
export interface ToolSet extends RequestTools {
  specs: Array<{ type: "function"; function: { name: string; description: string; parameters: Record<string, unknown> } }>;
  has(name: string): boolean;
  execute(calls: ToolCall[]): Promise<ToolResult[]>;
}

/**
 * Resolves `tool_ids` (the request's and the model's) into function specs. Tools the user may not
 * read, or that do not load, are left out silently (as Open WebUI does); a name used by two
 * modules gets the later module's id as prefix.
 */
export async function resolveTools(
  ports: { pluginStore: PluginStore; log: TurnLog },
  session: PluginSession,
  user: TurnUser,
  toolIds: readonly string[],
): Promise<ToolSet> {
  const entries = new Map<string, ToolEntry>();
  const specs: ToolSet["specs"] = [];
  for (const id of new Set(toolIds)) {
    const record = await ports.pluginStore.findTool(id);
    if (!record || !canRead(user, record)) continue;
    let tools;
    try {
      tools = (await session.describe("tool", record)).tools;
    } catch (error) {
      ports.log.warn({ pluginId: id, err: error }, "tool left out: it does not load");
      continue;
    }
    for (const spec of tools) {
      let name = spec.name;
      while (entries.has(name)) name = `${record.id}_${name}`;
      entries.set(name, { record, toolName: spec.name });
      specs.push({ type: "function", function: { ...spec, name } });
    }
  }

  async function executeOne(call: ToolCall): Promise<ToolResult> {
    const name = call.function.name;
    const entry = entries.get(name);
    const fail = (message: string): ToolResult => ({ toolCallId: call.id, name, content: `Error: ${message}`, isError: true });
    if (!entry) return fail(`there is no tool named ${JSON.stringify(name)}`);
    let args: unknown = {};
    if (call.function.arguments.trim() !== "") {
      try {
        args = JSON.parse(call.function.arguments);
      } catch {
        return fail(`the arguments are not valid JSON: ${call.function.arguments.slice(0, 200)}`);
      }
    }
    try {
      const value = await session.invoke("tool", entry.record, "tool", args, { toolName: entry.toolName });
      return { toolCallId: call.id, name, content: typeof value === "string" ? value : JSON.stringify(value ?? null), isError: false };
    } catch (error) {
      // A tool's failure is a result the model sees, not a crash of the turn.
      ports.log.info({ pluginId: entry.record.id, hook: entry.toolName, err: error }, "tool call failed");
      return fail(error instanceof Error ? error.message : String(error));
    }
  }

  return {
    specs,
    has: (name) => entries.has(name),
    list: () => specs.map((spec) => structuredClone(spec.function)),
    call: async (name, args) => {
      const entry = entries.get(name);
      if (!entry) {
        const known = entries.size > 0 ? `its tools are ${[...entries.keys()].join(", ")}` : "it has no tools";
        throw new SluiceError(
          "NOT_FOUND",
          `ctx.tools.call: this request has no tool named ${JSON.stringify(name.slice(0, 100))} (${known})`,
        );
      }
      // The tool checks the arguments against its own parameters schema (INVALID_INPUT) in its sandbox.
      return session.invoke("tool", entry.record, "tool", args, { toolName: entry.toolName });
    },
    execute: async (calls) => {
      const results: ToolResult[] = [];
      for (const call of calls) results.push(await executeOne(call));
      return results;
    },
  };
}
