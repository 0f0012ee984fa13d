import { describe, expect, it } from "vitest";
import { SluiceError, type ToolCall } from "@sluice/sdk";
import type { TurnUser } from "./ports.ts";
import { resolveTools } from "./resolve-tools.ts";
import { ADA, InMemoryWorld, toolRecord, type FakePlugin } from "./testing/in-memory-ports.ts";

const spec = (name: string) => ({ name, description: `The ${name} tool`, parameters: { type: "object", properties: {} } });

function toolModule(names: string[], run: (args: unknown, toolName: string) => unknown = (args) => args): FakePlugin {
  return { descriptor: { kind: "tools", tools: names.map(spec) }, hooks: { tool: (args, context) => run(args, context.toolName!) } };
}

function call(name: string, args: string, id = `call_${name}`): ToolCall {
  return { id, type: "function", function: { name, arguments: args } };
}

function resolve(world: InMemoryWorld, toolIds: string[], user: TurnUser = ADA) {
  return resolveTools(world.ports, world.openSession(user), user, toolIds);
}

describe("resolveTools", () => {
  it("offers the model each function of the named tools, once per tool id", async () => {
    const world = new InMemoryWorld();
    world.addTool(toolRecord("weather"), toolModule(["forecast", "alerts"]));
    const tools = await resolve(world, ["weather", "weather", "no_such_tool"]);
    expect(tools.specs).toEqual([
      { type: "function", function: spec("forecast") },
      { type: "function", function: spec("alerts") },
    ]);
    expect(tools.has("forecast")).toBe(true);
    expect(tools.has("search")).toBe(false);
  });

  it("offers only tools the user may read", async () => {
    const world = new InMemoryWorld();
    world.addTool(toolRecord("admins_only", { access_control: {} }), toolModule(["wipe"]));
    world.addTool(toolRecord("granted", { access_control: { read: { user_ids: [], group_ids: ["team"] } } }), toolModule(["lookup"]));
    world.addTool(toolRecord("own", { user_id: "ada", access_control: {} }), toolModule(["notes"]));
    const names = async (user: TurnUser) =>
      (await resolve(world, ["admins_only", "granted", "own"], user)).specs.map((entry) => entry.function.name);
    expect(await names(ADA)).toEqual(["notes"]);
    expect(await names({ ...ADA, groupIds: ["team"] })).toEqual(["lookup", "notes"]);
  });

  it("leaves out a tool that does not load, logged", async () => {
    const world = new InMemoryWorld();
    world.addTool(toolRecord("broken"), { loadError: new SluiceError("PLUGIN_LOAD_FAILED", "bad import") });
    world.addTool(toolRecord("fine"), toolModule(["ok"]));
    expect((await resolve(world, ["broken", "fine"])).specs.map((entry) => entry.function.name)).toEqual(["ok"]);
    expect(world.logs).toMatchObject([{ level: "warn", message: "tool left out: it does not load", fields: { pluginId: "broken" } }]);
  });

  it("gives a name two tools share the later tool's id as prefix, and runs each call in its own tool", async () => {
    const world = new InMemoryWorld();
    world.addTool(
      toolRecord("web"),
      toolModule(["search"], () => "web results"),
    );
    world.addTool(
      toolRecord("docs"),
      toolModule(["search"], (_args, toolName) => `docs results from ${toolName}`),
    );
    const tools = await resolve(world, ["web", "docs"]);
    expect(tools.specs.map((entry) => entry.function.name)).toEqual(["search", "docs_search"]);
    const results = await tools.execute([call("search", "{}"), call("docs_search", "{}")]);
    expect(results.map((result) => result.content)).toEqual(["web results", "docs results from search"]);
  });

  it("runs a call with its parsed arguments and gives back the value as text", async () => {
    const world = new InMemoryWorld();
    world.addTool(
      toolRecord("weather"),
      toolModule(["forecast", "nothing"], (args, toolName) => (toolName === "nothing" ? undefined : { args })),
    );
    const tools = await resolve(world, ["weather"]);
    expect(
      await tools.execute([call("forecast", '{"city":"Oslo"}', "c1"), call("forecast", "  ", "c2"), call("nothing", "", "c3")]),
    ).toEqual([
      { toolCallId: "c1", name: "forecast", content: '{"args":{"city":"Oslo"}}', isError: false },
      { toolCallId: "c2", name: "forecast", content: '{"args":{}}', isError: false },
      { toolCallId: "c3", name: "nothing", content: "null", isError: false },
    ]);
  });

  it("turns bad JSON arguments, an unknown tool and a throwing tool into error results the model sees", async () => {
    const world = new InMemoryWorld();
    world.addTool(
      toolRecord("weather"),
      toolModule(["forecast"], (args) => {
        if ((args as { city?: string }).city === "Atlantis") throw new Error("no such city");
        return "sunny";
      }),
    );
    const tools = await resolve(world, ["weather"]);
    const results = await tools.execute([
      call("forecast", "{city: Oslo", "c1"),
      call("teleport", "{}", "c2"),
      call("forecast", '{"city":"Atlantis"}', "c3"),
      call("forecast", '{"city":"Oslo"}', "c4"),
    ]);
    expect(results).toEqual([
      { toolCallId: "c1", name: "forecast", content: "Error: the arguments are not valid JSON: {city: Oslo", isError: true },
      { toolCallId: "c2", name: "teleport", content: 'Error: there is no tool named "teleport"', isError: true },
      { toolCallId: "c3", name: "forecast", content: "Error: no such city", isError: true },
      { toolCallId: "c4", name: "forecast", content: "sunny", isError: false },
    ]);
    expect(world.logs).toMatchObject([{ level: "info", message: "tool call failed", fields: { pluginId: "weather", hook: "forecast" } }]);
  });

  it("lists the tools for plugins under the names the model sees, and calls one by that name with its value as is", async () => {
    const world = new InMemoryWorld();
    world.addTool(
      toolRecord("web"),
      toolModule(["search"], () => "web results"),
    );
    world.addTool(
      toolRecord("docs"),
      toolModule(["search"], (args, toolName) => ({ from: toolName, args })),
    );
    const tools = await resolve(world, ["web", "docs"]);
    expect(tools.list()).toEqual([spec("search"), { ...spec("search"), name: "docs_search" }]);
    expect(await tools.call("docs_search", { query: "zod" })).toEqual({ from: "search", args: { query: "zod" } });
    expect(world.calls.at(-1)).toMatchObject({ pluginId: "docs", hook: "search", payload: { query: "zod" } });
  });

  it("fails a plugin's call of a tool the request does not have with NOT_FOUND naming the tools it has, and passes a tool's error on", async () => {
    const world = new InMemoryWorld();
    world.addTool(
      toolRecord("math"),
      toolModule(["add"], (args) => {
        if (typeof (args as { a?: unknown }).a !== "number")
          throw new SluiceError("INVALID_INPUT", 'Invalid arguments for tool "add": a: expected number');
        return 1;
      }),
    );
    const tools = await resolve(world, ["math"]);
    await expect(tools.call("subtract", {})).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(/"subtract".*its tools are add/),
    });
    await expect(tools.call("add", { a: "one" })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/a: expected number/),
    });
    expect(await resolve(world, []).then((none) => none.list())).toEqual([]);
  });
});
