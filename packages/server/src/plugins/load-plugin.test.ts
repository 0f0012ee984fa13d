import { afterAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { SluiceError } from "@sluice/sdk";
import { hashPluginSource } from "./hash-plugin-source.ts";
import { loadPlugin, type LoadPluginOptions, type LoadedPlugin } from "./load-plugin.ts";
import { SDK_VERSION, SLUICE_VERSION } from "./plugin-versions.ts";

const logger = pino({ level: "silent" });
const loadedPlugins: LoadedPlugin[] = [];

async function load(source: string, options: Partial<LoadPluginOptions> = {}): Promise<LoadedPlugin> {
  const loaded = await loadPlugin(source, { pluginId: "turn_limit", logger, ...options });
  loadedPlugins.push(loaded);
  return loaded;
}

async function refusal(source: string, options: Partial<LoadPluginOptions> = {}): Promise<SluiceError> {
  const error = await load(source, options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(SluiceError.isInstance(error)).toBe(true);
  expect((error as SluiceError).code).toBe("PLUGIN_LOAD_FAILED");
  expect((error as SluiceError).pluginId).toBe("turn_limit");
  return error as SluiceError;
}

afterAll(() => {
  for (const loaded of loadedPlugins) loaded.sandbox.dispose();
});

const turnLimit = `/**
 * title: Turn Limit
 * author: jane
 * version: 1.2.0
 * required_sluice_version: >=0.1
 */
import { defineFilter, z } from "@sluice/sdk";

export default defineFilter({
  valves: z.object({ priority: z.number().default(0), maxTurns: z.number().int().min(1).default(8) }),
  userValves: z.object({ maxTurns: z.number().int().default(4) }),
  async inlet(body, ctx) {
    const limit = Math.min(ctx.valves.maxTurns, ctx.user.valves.maxTurns);
    if (body.messages.filter((m) => m.role === "user").length > limit) throw new Error(\`Limit of \${limit} turns reached\`);
    return body;
  },
});
`;

const weatherTools = `import { defineTools, z } from "@sluice/sdk";
export default defineTools({
  tools: {
    weather: {
      description: "Current weather in a city",
      parameters: z.object({ city: z.string().describe("City name") }),
      execute: ({ city }) => \`Sunny in \${city}\`,
    },
  },
});
`;

describe("loadPlugin", () => {
  it("loads a filter with its manifest, content hash and load time", async () => {
    const before = Date.now();
    const loaded = await load(turnLimit, { expectedNamespace: "function" });
    expect(loaded.descriptor.kind).toBe("filter");
    expect(loaded.manifest).toEqual({ title: "Turn Limit", author: "jane", version: "1.2.0", required_sluice_version: ">=0.1" });
    expect(loaded.contentHash).toBe(hashPluginSource(turnLimit, "", SDK_VERSION));
    expect(loaded.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.loadedAt).toBeGreaterThanOrEqual(before);
    expect(loaded.sandbox.pluginId).toBe("turn_limit");
  });

  it("runs the hook in the real runtime: user valves and admin valves both count", async () => {
    const loaded = await load(turnLimit);
    const context = {
      id: "turn_limit",
      user: { id: "u1", name: "Ada", email: "ada@example.com", role: "user" },
      valves: { maxTurns: 2 },
      userValves: {},
      metadata: {},
      canCall: false,
    };
    const body = {
      model: "m",
      messages: [
        { role: "user", content: "1" },
        { role: "user", content: "2" },
        { role: "user", content: "3" },
      ],
    };
    const result = await loaded.sandbox.invoke({ hook: "inlet", payload: body, context });
    expect(result).toMatchObject({ ok: false, error: { code: "PLUGIN_ERROR", message: "Limit of 2 turns reached", hook: "inlet" } });
    const allowed = await loaded.sandbox.invoke({
      hook: "inlet",
      payload: body,
      context: { ...context, valves: { maxTurns: 5 }, userValves: { maxTurns: 3 } },
    });
    expect(allowed).toEqual({ ok: true, value: body });
  });

  it("hashes requirements and source: any change gives another hash", () => {
    const base = hashPluginSource("source", "date-fns@4", "0.1.0");
    expect(hashPluginSource("source", "date-fns@4", "0.1.0")).toBe(base);
    expect(hashPluginSource("source ", "date-fns@4", "0.1.0")).not.toBe(base);
    expect(hashPluginSource("source", "date-fns@3", "0.1.0")).not.toBe(base);
    expect(hashPluginSource("source", "date-fns@4", "0.2.0")).not.toBe(base);
  });

  it("refuses a syntax error with its line and column", async () => {
    const line4 = "  inlet(body) { return body + ; },";
    const error = await refusal(`import { defineFilter } from "@sluice/sdk";\n\nexport default defineFilter({\n${line4}\n});\n`);
    expect(error.message).toBe(`Syntax error at line 4, column ${line4.indexOf(";") + 1}: Unexpected ";"`);
  });

  it("refuses a module without a plugin and says what it looked for", async () => {
    const error = await refusal("export const helper = () => 1;");
    expect(error.message).toMatch(/^No plugin found/);
  });

  it("refuses a module that throws while loading", async () => {
    const error = await refusal(
      'import { defineFilter } from "@sluice/sdk";\nconst key: string = "";\nif (!key) throw new Error("set the API key first");\nexport default defineFilter({ inlet: (b) => b });',
    );
    expect(error.message).toBe("The plugin threw while loading: set the API key first");
  });

  it("refuses source over the size limit before compiling it", async () => {
    const source = `/* padding */\n${"x".repeat(1024 * 1024)}`;
    const error = await refusal(source);
    expect(error.message).toBe(`Plugin source is ${Buffer.byteLength(source)} bytes; the limit is 1048576`);
    expect((await refusal("é".repeat(600), { maxSourceBytes: 1000 })).message).toBe("Plugin source is 1200 bytes; the limit is 1000");
  });

  it("checks required_sluice_version against this server", async () => {
    expect(SLUICE_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    const requires = (range: string) =>
      `/**\n * required_sluice_version: ${range}\n */\nimport { defineFilter } from "@sluice/sdk";\nexport default defineFilter({ inlet: (b) => b });`;
    expect((await refusal(requires(">=99"))).message).toBe(`This plugin requires Sluice >=99; this server is ${SLUICE_VERSION}`);
    expect((await refusal(requires(">=0.1"), { sluiceVersion: "0.0.9" })).message).toBe(
      "This plugin requires Sluice >=0.1; this server is 0.0.9",
    );
    expect((await refusal(requires("soon"))).message).toBe(
      'required_sluice_version "soon" is not a valid version range (for example ">=0.1")',
    );
    expect((await load(requires(`^${SLUICE_VERSION}`))).descriptor.kind).toBe("filter");
  });

  it("refuses a function saved under Tools and a tools module saved under Functions", async () => {
    expect((await refusal(turnLimit, { expectedNamespace: "tool" })).message).toBe(
      "This is a filter; create it under Functions, not Tools",
    );
    expect((await refusal(weatherTools, { expectedNamespace: "function" })).message).toBe(
      "This is a tools module; create it under Tools, not Functions",
    );
  });

  it("loads a tools module with its OpenAI function specs, and runs a tool", async () => {
    const loaded = await load(weatherTools, { expectedNamespace: "tool" });
    expect(loaded.descriptor.tools).toEqual([
      {
        name: "weather",
        description: "Current weather in a city",
        parameters: expect.objectContaining({
          type: "object",
          properties: { city: expect.objectContaining({ type: "string", description: "City name" }) },
        }),
      },
    ]);
    const result = await loaded.sandbox.invoke({
      hook: "tool",
      toolName: "weather",
      payload: { city: "Oslo" },
      context: {
        id: "turn_limit",
        user: { id: "u1", name: "Ada", email: "a@example.com", role: "user" },
        valves: {},
        userValves: {},
        metadata: {},
        canCall: false,
      },
    });
    expect(result).toEqual({ ok: true, value: "Sunny in Oslo" });
  });
});

describe("loadPlugin: source text", () => {
  // Security issue, point 13: the database stored a lone surrogate as U+FFFD, so the stored code
  // was not the code that was compiled and hashed.
  it("refuses a lone surrogate, saying where", async () => {
    const source =
      'import { defineFilter } from "@sluice/sdk";\nexport default defineFilter({ inlet: (body) => ({ ...body, mark: "\uD83D" }) });\n';
    await expect(loadPlugin(source, { pluginId: "lonely" })).rejects.toMatchObject({
      code: "PLUGIN_LOAD_FAILED",
      message: expect.stringMatching(/^The source has a lone surrogate .* at line 2, column 67;/),
    });
  });
});

describe("the sandbox-wide service channel", () => {
  it("serves a call without a handler of its own with the plugin's scope from pluginHost", async () => {
    const scopes: unknown[] = [];
    const source = `import { definePipe } from "@sluice/sdk";
export default definePipe({ async pipe(_body, ctx) { return JSON.stringify(await ctx.storage.get("k")); } });`;
    const loaded = await load(source, {
      pluginId: "background",
      expectedNamespace: "function",
      pluginHost: (plugin) => ({
        serve: async (method, args) => {
          scopes.push({ ...plugin, method, args });
          return { value: "stored" };
        },
      }),
    });
    const context = {
      id: "background",
      user: { id: "u", name: "U", email: "u@example.com", role: "user" },
      valves: {},
      userValves: {},
      metadata: {},
      canCall: false,
    };
    expect(await loaded.sandbox.invoke({ hook: "pipe", payload: { model: "m", messages: [] }, context })).toMatchObject({
      ok: true,
      value: '"stored"',
    });
    expect(scopes).toEqual([{ pluginId: "background", namespace: "function", method: "storage.get", args: ["k"] }]);
  });
});
