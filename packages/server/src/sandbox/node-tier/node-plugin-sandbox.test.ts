import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import { compileNodePlugin } from "../../plugins/compile-node-plugin.ts";
import { silentLogger, testContext, testRequest } from "../sandbox-test-fixtures.ts";
import { NodePluginSandbox, type NodePluginSandboxOptions } from "./node-plugin-sandbox.ts";

// Issue 4, point 6: the trusted tier runs a plugin in a real Node.js child process under the
// permission model. These tests start real processes.

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-node-tier-"));
const sandboxes: NodePluginSandbox[] = [];

async function nodeSandbox(source: string, options: Partial<NodePluginSandboxOptions> = {}): Promise<NodePluginSandbox> {
  const { code } = await compileNodePlugin(source);
  const { sandbox } = await NodePluginSandbox.create(code, {
    pluginId: "node_plugin",
    dataDir,
    host: {},
    logger: silentLogger,
    ...options,
  });
  sandboxes.push(sandbox);
  return sandbox;
}

afterAll(() => {
  for (const sandbox of sandboxes) sandbox.dispose();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const FILES = `
import fs from "node:fs";
import path from "node:path";
import { defineFilter, z } from "@sluice/sdk";
export default defineFilter({
  valves: z.object({ note: z.string().default("kept") }),
  async inlet(body, ctx) {
    const attempt = (work) => { try { return work(); } catch (error) { return error.code ?? error.message; } };
    fs.writeFileSync("note.txt", ctx.valves.note);
    await ctx.emit({ type: "status", data: { description: "wrote", done: true } });
    ctx.log.info("cwd is", process.cwd());
    return {
      ...body,
      own: fs.readFileSync(path.join(process.cwd(), "note.txt"), "utf8"),
      secretKey: attempt(() => fs.readFileSync(body.secretKeyFile, "utf8")),
      otherPlugin: attempt(() => fs.writeFileSync(body.otherFolder + "/x.txt", "x")),
      etc: attempt(() => fs.readFileSync("/etc/passwd", "utf8")),
      spawn: attempt(() => process.getBuiltinModule("node:child_process").execSync("id")),
      env: Object.keys(process.env),
      cwd: process.cwd(),
    };
  },
});
`;

describe("a trusted-tier filter", () => {
  let sandbox: NodePluginSandbox;

  beforeAll(async () => {
    fs.writeFileSync(path.join(dataDir, ".secret_key"), "server secret");
    fs.mkdirSync(path.join(dataDir, "plugins", "other_plugin"), { recursive: true });
    sandbox = await nodeSandbox(FILES, { pluginId: "files_filter" });
  });

  it("reports what it is", () => {
    expect(sandbox.descriptor).toMatchObject({ kind: "filter", hooks: ["inlet"] });
    expect(sandbox.folder).toBe(path.join(dataDir, "plugins", "files_filter"));
  });

  it("uses node:fs inside its own folder only, and sees none of the server's environment", async () => {
    const events: unknown[] = [];
    const logs: string[] = [];
    const result = await sandbox.invoke(
      testRequest(
        "inlet",
        { secretKeyFile: path.join(dataDir, ".secret_key"), otherFolder: path.join(dataDir, "plugins", "other_plugin") },
        { context: { ...testContext, valves: { note: "hello" } } },
      ),
      { emit: (event) => void events.push(event), log: (_level, message) => void logs.push(message) },
    );
    expect(result).toMatchObject({
      ok: true,
      value: {
        own: "hello",
        secretKey: "ERR_ACCESS_DENIED",
        otherPlugin: "ERR_ACCESS_DENIED",
        etc: "ERR_ACCESS_DENIED",
        spawn: "ERR_ACCESS_DENIED",
        env: [],
        cwd: sandbox.folder,
      },
    });
    expect(fs.readFileSync(path.join(sandbox.folder, "note.txt"), "utf8")).toBe("hello");
    expect(fs.existsSync(path.join(dataDir, "plugins", "other_plugin", "x.txt"))).toBe(false);
    expect(events).toEqual([{ type: "status", data: { description: "wrote", done: true } }]);
    expect(logs).toEqual([`cwd is ${sandbox.folder}`]);
  });

  it("validates valves with the plugin's schema", async () => {
    expect(await sandbox.validateValves("valves", { note: "x", unknown: 1 })).toEqual({
      ok: true,
      stored: { note: "x" },
      effective: { note: "x" },
    });
    expect(await sandbox.validateValves("valves", { note: 3 })).toMatchObject({ ok: false, issues: [{ path: "note" }] });
  });
});

const RUNAWAY = `
import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  async inlet(body) {
    if (body.mode === "loop") while (true) {}
    if (body.mode === "exit") process.exit(3);
    if (body.mode === "throw-later") setTimeout(() => { throw new Error("background failure"); }, 0);
    if (body.mode === "hoard") { const hoard = []; while (true) hoard.push(new Array(100000).fill(Math.random())); }
    if (body.mode === "never") await new Promise(() => {});
    return { ...body, pid: process.pid };
  },
});
`;

describe("a trusted-tier plugin that misbehaves", () => {
  it("is killed when it loops past its time limit, fails with PLUGIN_TIMEOUT, and works again on the next call", async () => {
    const sandbox = await nodeSandbox(RUNAWAY, { pluginId: "looper", timeoutMs: 400 });
    const before = sandbox.processId;
    const started = performance.now();
    const result = await sandbox.invoke(testRequest("inlet", { mode: "loop" }));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_TIMEOUT", pluginId: "looper", hook: "inlet", message: 'Plugin "looper" timed out in inlet after 400 ms' },
    });
    const next = await sandbox.invoke(testRequest("inlet", { mode: "fine" }));
    expect(next).toMatchObject({ ok: true, value: { mode: "fine" } });
    expect((next as { value: { pid: number } }).value.pid).not.toBe(before);
    expect(sandbox.isDisposed).toBe(false);
  });

  it("fails the call that crashed the process (process.exit) and works again on the next", async () => {
    const sandbox = await nodeSandbox(RUNAWAY, { pluginId: "quitter" });
    const result = await sandbox.invoke(testRequest("inlet", { mode: "exit" }));
    expect(result.ok).toBe(false);
    const error = (result as { error: SluiceError }).error;
    expect(error).toMatchObject({ code: "PLUGIN_ERROR", pluginId: "quitter", hook: "inlet" });
    expect(error.message).toMatch(/^Plugin "quitter" crashed in inlet: its Node.js process exited with code 3/);
    expect(await sandbox.invoke(testRequest("inlet", { mode: "fine" }))).toMatchObject({ ok: true, value: { mode: "fine" } });
  });

  it("fails with PLUGIN_MEMORY_LIMIT when its heap runs out, and works again on the next call", async () => {
    const sandbox = await nodeSandbox(RUNAWAY, { pluginId: "hoarder", memoryLimitMb: 48, timeoutMs: 20_000 });
    const result = await sandbox.invoke(testRequest("inlet", { mode: "hoard" }));
    expect(result).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_MEMORY_LIMIT", message: 'Plugin "hoarder" ran out of memory in inlet (the limit is 48 MB)' },
    });
    expect(await sandbox.invoke(testRequest("inlet", { mode: "fine" }))).toMatchObject({ ok: true });
  });

  it("gives up a call waiting on a promise that never settles, without killing the process", async () => {
    const sandbox = await nodeSandbox(RUNAWAY, { pluginId: "waiter", timeoutMs: 300 });
    const pid = sandbox.processId;
    expect(await sandbox.invoke(testRequest("inlet", { mode: "never" }))).toMatchObject({
      ok: false,
      error: { code: "PLUGIN_TIMEOUT", hook: "inlet" },
    });
    expect(sandbox.processId).toBe(pid);
    expect(await sandbox.invoke(testRequest("inlet", { mode: "fine" }))).toMatchObject({ ok: true, value: { pid } });
  });

  it("logs a background exception and keeps running", async () => {
    const lines: string[] = [];
    const sandbox = await nodeSandbox(RUNAWAY, { pluginId: "thrower", host: { log: (_level, message) => void lines.push(message) } });
    const pid = sandbox.processId;
    await sandbox.invoke(testRequest("inlet", { mode: "throw-later" }));
    await expect.poll(() => lines.join("\n")).toMatch(/Uncaught exception: Error: background failure/);
    expect(await sandbox.invoke(testRequest("inlet", { mode: "fine" }))).toMatchObject({ ok: true, value: { pid } });
  });

  it("refuses a plugin that throws while loading", async () => {
    const error = await nodeSandbox(`throw new Error("no config");`, { pluginId: "broken" }).catch((thrown: unknown) => thrown);
    expect(SluiceError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: "PLUGIN_LOAD_FAILED",
      message: expect.stringMatching(/^The plugin threw while loading: no config/),
    });
  });
});

describe("a trusted-tier pipe", () => {
  const PIPE = `
  import { definePipe } from "@sluice/sdk";
  let produced = 0;
  let finished = false;
  export default definePipe({
    async *pipe(body) {
      if (body.mode === "state") { yield JSON.stringify({ produced, finished }); return; }
      produced = 0;
      finished = false;
      try {
        for (let index = 0; index < body.count; index += 1) {
          produced += 1;
          yield "chunk " + index + " (" + produced + " produced) ";
        }
      } finally {
        finished = true;
      }
    },
  });
  `;

  it("streams its chunks from the child, one per pull", async () => {
    const sandbox = await nodeSandbox(PIPE, { pluginId: "streamer" });
    const chunks: unknown[] = [];
    for await (const output of sandbox.streamPipe({ payload: { count: 5 }, context: testContext })) chunks.push(output);
    expect(chunks).toEqual([0, 1, 2, 3, 4].map((index) => ({ kind: "chunk", value: `chunk ${index} (${index + 1} produced) ` })));
  });

  it("produces a chunk only when asked, and runs the pipe's finally when the reader stops early", async () => {
    const sandbox = await nodeSandbox(PIPE, { pluginId: "streamer_early" });
    const taken: unknown[] = [];
    for await (const output of sandbox.streamPipe({ payload: { count: 1000 }, context: testContext })) {
      taken.push(output.value);
      if (taken.length === 3) break;
    }
    const state = async () => {
      const outputs = [];
      for await (const output of sandbox.streamPipe({ payload: { mode: "state" }, context: testContext })) outputs.push(output);
      return JSON.parse(outputs[0]!.value as string) as { produced: number; finished: boolean };
    };
    await expect.poll(state).toEqual({ produced: 3, finished: true });
  });
});

describe("a trusted-tier stream hook", () => {
  const UPPER = `
  import { defineFilter } from "@sluice/sdk";
  export default defineFilter({
    async stream(event, ctx) {
      const text = event.choices?.[0]?.delta?.content ?? "";
      if (text === "drop") return null;
      if (text === "slow") await new Promise((resolve) => setTimeout(resolve, 20));
      if (text === "loop") while (true) {}
      if (text === "boom") throw new Error("no " + text);
      event.choices[0].delta.content = text.toUpperCase();
    },
  });
  `;
  const chunk = (content: string) => ({ choices: [{ index: 0, delta: { content } }] });

  it("transforms pipelined chunks in order, with drops, async hooks and per-chunk errors", async () => {
    const sandbox = await nodeSandbox(UPPER, { pluginId: "upper" });
    const session = sandbox.openStreamFilter({ context: testContext });
    const words = ["a", "slow", "drop", "boom", ...Array.from({ length: 50 }, (_, index) => `w${index}`)];
    const outputs = await Promise.all(words.map((word) => session.transform(chunk(word))));
    session.close();
    expect(outputs[0]).toEqual(chunk("A"));
    expect(outputs[1]).toEqual(chunk("SLOW"));
    expect(outputs[2]).toBeNull();
    expect(outputs[3]).toMatchObject({ code: "PLUGIN_ERROR", message: "no boom", hook: "stream" });
    expect(outputs.slice(4)).toEqual(Array.from({ length: 50 }, (_, index) => chunk(`W${index}`)));
  });

  it("fails no chunk while the server's event loop is blocked for longer than the stream limit", async () => {
    const sandbox = await nodeSandbox(UPPER, { pluginId: "upper_blocked", streamTimeoutMs: 100 });
    const sessions = Array.from({ length: 20 }, () => sandbox.openStreamFilter({ context: testContext }));
    await Promise.all(sessions.map((session) => session.transform(chunk("open"))));
    const pid = sandbox.processId;
    const outputs = sessions.flatMap((session) => [session.transform(chunk("slow")), session.transform(chunk("fast"))]);
    const until = performance.now() + 400;
    while (performance.now() < until) {
      // A slow request handler holding the server's thread.
    }
    expect(await Promise.all(outputs)).toEqual(sessions.flatMap(() => [chunk("SLOW"), chunk("FAST")]));
    expect(sandbox.processId).toBe(pid);
    for (const session of sessions) session.close();
  });

  it("kills a chunk that loops past the stream limit; later calls work", async () => {
    const sandbox = await nodeSandbox(UPPER, { pluginId: "upper_loop", streamTimeoutMs: 150 });
    const session = sandbox.openStreamFilter({ context: testContext });
    expect(await session.transform(chunk("ok"))).toEqual(chunk("OK"));
    const output = await session.transform(chunk("loop"));
    expect(output).toMatchObject({ code: "PLUGIN_TIMEOUT", message: 'Plugin "upper_loop" timed out in stream after 150 ms' });
    session.close();
    const next = sandbox.openStreamFilter({ context: testContext });
    expect(await next.transform(chunk("again"))).toEqual(chunk("AGAIN"));
    next.close();
  });
});
