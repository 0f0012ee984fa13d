import { afterAll, expect, it, vi } from "vitest";
import { signUpAdmin } from "./helpers/accounts.ts";
import { api } from "./helpers/api.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { startServer } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

// Security issue, point 2: one line of plugin code made isolated-vm lose control of its isolate
// (a built-in that cannot be stopped, here filling a 120-million-element array): the server then
// crashed with a segmentation fault or hung for good with /health timing out. Now plugin code never
// runs on the server's thread, and the server switches the plugin off and exits at once for its
// supervisor; the restarted server does not run the plugin again.

const CRASHER = `
import { definePipe } from "@sluice/sdk";
export default definePipe({
  pipe(body) {
    if (body.messages.at(-1)?.content === "crash") new Array(1.2e8).fill(0.5);
    return "fine";
  },
});
`;

// Security issue, point 3: saving such code used to leave the save unanswered, a thread suspended
// and about 1 GB held for ever. Saved code now runs first in a child process of its own.
const CRASHES_WHILE_LOADING = `
import { defineFilter } from "@sluice/sdk";
new Array(1.2e8).fill(0.5);
export default defineFilter({ inlet: (body) => body });
`;

describeEachDatabase("a plugin that makes isolated-vm lose control", (kind) => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  it("while loading on save: the save answers 400, the server goes on, nothing is stored", { timeout: 60_000 }, async () => {
    const database = await createTestDatabase(kind);
    databases.push(database);
    const server = await startServer({ kind, database, env: { PLUGIN_TIMEOUT_MS: "1000" } });
    try {
      const admin = await signUpAdmin(server.url);
      const client = api(server.url, admin.token);
      const saved = await client.post("/api/v1/functions/create", { id: "heavy", name: "Heavy", content: CRASHES_WHILE_LOADING });
      expect(saved).toMatchObject({
        status: 400,
        body: { detail: expect.stringMatching(/ran out of memory or could not be stopped while loading/) },
      });
      expect((await client.get("/api/v1/functions/id/heavy")).status).toBe(404);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      // The next save is checked by a new child and goes through.
      const fixed = await client.post("/api/v1/functions/create", {
        id: "heavy",
        name: "Heavy",
        content: CRASHES_WHILE_LOADING.replace("1.2e8", "10"),
      });
      expect(fixed.status).toBe(200);
      expect(server.output()).not.toMatch(/crashed the server/);
    } finally {
      await server.stop();
    }
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it("ends the server at once instead of hanging, and the restarted server keeps the plugin off", { timeout: 90_000 }, async () => {
    const database = await createTestDatabase(kind);
    databases.push(database);
    const env = { PLUGIN_TIMEOUT_MS: "1000" };
    const first = await startServer({ kind, database, env });
    const admin = await signUpAdmin(first.url);
    const client = api(first.url, admin.token);
    expect((await client.post("/api/v1/functions/create", { id: "crasher", name: "Crasher", content: CRASHER })).status).toBe(200);
    expect((await client.post("/api/v1/functions/id/crasher/toggle")).body).toMatchObject({ is_active: true });
    const chat = (content: string, url = first.url) =>
      api(url, admin.token).post("/api/chat/completions", { model: "crasher", stream: false, messages: [{ role: "user", content }] });
    expect((await chat("hello")).body).toMatchObject({ choices: [{ message: { content: "fine" } }] });

    // Until the process ends, /health keeps answering: nothing blocks the event loop.
    const crashing = chat("crash").catch((error: Error) => error);
    let healthAnswers = 0;
    const ended = await Promise.race([
      first.exited,
      (async () => {
        for (;;) {
          const started = performance.now();
          const health = await fetch(`${first.url}/health`).catch(() => undefined);
          if (!health) return undefined;
          expect(performance.now() - started).toBeLessThan(2000);
          healthAnswers += 1;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })(),
    ]);
    const exit = ended ?? (await first.exited);
    expect(exit.signal).toBe("SIGKILL");
    expect(healthAnswers).toBeGreaterThan(3);
    // The chat got its time-out answer (or lost its connection with the process).
    const crashed = await crashing;
    if (!(crashed instanceof Error)) expect(crashed).toMatchObject({ status: 504, body: { detail: expect.stringMatching(/timed out/) } });
    await vi.waitFor(
      () => expect(first.output()).toMatch(/plugin "crasher" crashed the server \(Script failed to terminate\); it was switched off/),
      { timeout: 10_000, interval: 50 },
    );

    const second = await startServer({ kind, database, env });
    try {
      const row = await api(second.url, admin.token).get("/api/v1/functions/id/crasher");
      expect(row.body).toMatchObject({
        is_active: false,
        load_error: expect.stringMatching(/^Switched off after it crashed the server: Script failed to terminate/),
      });
      // It cannot be switched back on until a fixed version is saved.
      const toggle = await api(second.url, admin.token).post("/api/v1/functions/id/crasher/toggle");
      expect(toggle).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/crashed the server/) } });
      expect((await chat("hello", second.url)).status).toBe(404);
      const saved = await api(second.url, admin.token).post("/api/v1/functions/id/crasher/update", {
        id: "crasher",
        name: "Crasher",
        content: CRASHER.replace("1.2e8", "10"),
      });
      expect(saved.body).toMatchObject({ load_error: null });
      const toggled = await api(second.url, admin.token).get("/api/v1/functions/id/crasher");
      if (!toggled.body.is_active) await api(second.url, admin.token).post("/api/v1/functions/id/crasher/toggle");
      expect((await chat("crash", second.url)).body).toMatchObject({ choices: [{ message: { content: "fine" } }] });
    } finally {
      await second.stop();
    }
  });
});
