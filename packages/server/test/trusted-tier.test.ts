import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";

// Issue 4, point 6: `permissions: node` plugins wait for an admin's approval, then run in their
// own Node.js process with their folder under DATA_DIR/plugins/ and nothing of the server's.

const DISK_FILTER = `/**
 * title: Disk notes
 * permissions: node
 */
import fs from "node:fs";
import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  inlet(body) {
    const attempt = (work) => { try { return work(); } catch (error) { return error.code ?? error.message; } };
    const count = Number(attempt(() => fs.readFileSync("count.txt", "utf8")) === "ENOENT" ? 0 : fs.readFileSync("count.txt", "utf8")) + 1;
    fs.writeFileSync("count.txt", String(count));
    const report = { count, database: attempt(() => fs.readFileSync("../../sluice.db").length), env: Object.keys(process.env).length };
    const last = body.messages.at(-1);
    return { ...body, messages: [...body.messages.slice(0, -1), { ...last, content: last.content + " " + JSON.stringify(report) }] };
  },
});
`;

const DISK_PIPE = `/**
 * permissions: node
 */
import { readFile, writeFile } from "node:fs/promises";
import { definePipe } from "@sluice/sdk";
export default definePipe({
  async *pipe(body) {
    await writeFile("words.txt", "streamed from a child process");
    for (const word of (await readFile("words.txt", "utf8")).split(" ")) yield word + " ";
  },
});
`;

// Security issue, point 5: an approved plugin opened the server's database with node:sqlite
// (promoting a user, reading password hashes) and wrote outside its folder with VACUUM INTO,
// while fs on the same paths was denied; Unix sockets and v8 flags were reachable too.
const breakoutFilter = (socketPath: string) => `/**
 * permissions: node
 */
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import vm from "node:vm";
import { defineFilter } from "@sluice/sdk";
const attempt = async (work) => { try { return await work(); } catch (error) { return error.code ?? error.message; } };
const database = path.resolve(process.cwd(), "../../sluice.db");
const stolen = path.resolve(process.cwd(), "../../stolen.db");
const takeOver = (sqlite) => {
  const db = new sqlite.DatabaseSync(database);
  db.exec("UPDATE user SET role = 'admin'");
  db.exec("VACUUM INTO '" + stolen + "'");
  return "OPENED";
};
export default defineFilter({
  async inlet(body) {
    const report = {
      require: await attempt(() => takeOver(require("node:sqlite"))),
      getBuiltinModule: await attempt(() => takeOver(process.getBuiltinModule("node:sqlite"))),
      createRequire: await attempt(() => takeOver(createRequire(process.cwd() + "/x.js")("node:sqlite"))),
      moduleLoad: await attempt(() => takeOver(process.mainModule.constructor._load("node:sqlite"))),
      import: await attempt(async () => takeOver(await vm.runInThisContext("import('node:sqlite')", { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }))),
      v8: await attempt(() => process.getBuiltinModule("v8").setFlagsFromString("--allow-natives-syntax") ?? "SET"),
      socket: await new Promise((resolve) => { const connection = (() => { try { return net.connect({ path: ${JSON.stringify(socketPath)} }); } catch (error) { resolve(error.code); } })(); connection?.on("connect", () => resolve("CONNECTED")); connection?.on("error", (error) => resolve(error.code)); }),
      signal: await attempt(() => process.kill(process.ppid, 0) && "SENT"),
    };
    const last = body.messages.at(-1);
    return { ...body, messages: [...body.messages.slice(0, -1), { ...last, content: JSON.stringify(report) }] };
  },
});
`;

describe("the trusted tier over HTTP", () => {
  let fake: FakeUpstream;
  const env: Record<string, string> = { SLUICE_TEST_SECRET_NAME: "server-only" };
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind: "sqlite", env });
  let admin: TestAccount;
  let user: TestAccount;

  it("stores a permissions: node filter without running it, and refuses to activate it until an admin approves", async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
    const created = await sluice.api.post(
      "/api/v1/functions/create",
      { id: "disk_notes", name: "Disk notes", content: DISK_FILTER },
      admin.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({
      id: "disk_notes",
      type: "filter",
      is_active: false,
      meta: { permissions: { requested: ["node"], granted: [] } },
    });
    expect(fs.existsSync(path.join(sluice.server.dataDir, "plugins", "disk_notes"))).toBe(false);

    const toggled = await sluice.api.post("/api/v1/functions/id/disk_notes/toggle", undefined, admin.token);
    expectError(toggled, 403, "/api/v1/functions/id/disk_notes/permissions/approve");
    const stored = await sluice.api.get("/api/v1/functions/id/disk_notes", admin.token);
    expect(stored.body).toMatchObject({ is_active: false, load_error: expect.stringContaining("trusted tier") });
    // Saving it again (an admin's save) does not grant it either.
    const saved = await sluice.api.post(
      "/api/v1/functions/id/disk_notes/update",
      { name: "Disk notes", content: DISK_FILTER },
      admin.token,
    );
    expect(saved.body.meta.permissions.granted).toEqual([]);
  });

  it("is approved by admins only, who are told that it has network and CPU access", async () => {
    expectError(await sluice.api.post("/api/v1/functions/id/disk_notes/permissions/approve", {}, user.token), 403);
    const approved = await sluice.api.post("/api/v1/functions/id/disk_notes/permissions/approve", {}, admin.token);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({
      type: "filter",
      load_error: null,
      meta: { permissions: { requested: ["node"], granted: ["node"] } },
    });
    expect(approved.body.notices[0]).toMatch(/any host on the network/);
    expect(approved.body.notices[0]).toMatch(/CPU/);
    expect(fs.existsSync(path.join(sluice.server.dataDir, "plugins", "disk_notes"))).toBe(true);
    const toggled = await sluice.api.post("/api/v1/functions/id/disk_notes/toggle", undefined, admin.token);
    expect(toggled.body.is_active).toBe(true);
    await sluice.api.post("/api/v1/functions/id/disk_notes/toggle/global", undefined, admin.token);
    // An admin's later save keeps the approval.
    const saved = await sluice.api.post(
      "/api/v1/functions/id/disk_notes/update",
      { name: "Disk notes", content: DISK_FILTER + "\n// v2\n" },
      admin.token,
    );
    expect(saved.body).toMatchObject({ is_active: true, meta: { permissions: { granted: ["node"] } } });
  });

  it("runs in chats with files in its own folder only and none of the server's environment", async () => {
    const ask = () =>
      sluice.api.post("/api/chat/completions", { model: "fake-small", messages: [{ role: "user", content: "hello" }] }, user.token);
    const first = await ask();
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.choices[0].message.content).toBe('You said: hello {"count":1,"database":"ERR_ACCESS_DENIED","env":0}');
    const second = await ask();
    expect(second.body.choices[0].message.content).toBe('You said: hello {"count":2,"database":"ERR_ACCESS_DENIED","env":0}');
    expect(fs.readFileSync(path.join(sluice.server.dataDir, "plugins", "disk_notes", "count.txt"), "utf8")).toBe("2");
    await sluice.api.post("/api/v1/functions/id/disk_notes/toggle/global", undefined, admin.token);
  });

  it("streams a trusted-tier pipe's chunks from its process", async () => {
    expect(
      (await sluice.api.post("/api/v1/functions/create", { id: "disk_pipe", name: "Disk pipe", content: DISK_PIPE }, admin.token)).status,
    ).toBe(200);
    expect((await sluice.api.post("/api/v1/functions/id/disk_pipe/permissions/approve", {}, admin.token)).status).toBe(200);
    expect((await sluice.api.post("/api/v1/functions/id/disk_pipe/toggle", undefined, admin.token)).body.is_active).toBe(true);
    const response = await fetch(`${sluice.url}/api/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ model: "disk_pipe", messages: [{ role: "user", content: "go" }], stream: true }),
    });
    expect(response.status).toBe(200);
    const events = (await response.text())
      .split("\n")
      .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
      .map((line) => JSON.parse(line.slice(6)));
    const deltas = events
      .map((event) => event.choices?.[0]?.delta?.content)
      .filter((content) => typeof content === "string" && content !== "");
    expect(deltas).toEqual(["streamed ", "from ", "a ", "child ", "process "]);
  });

  it("lets a tool author store a trusted-tier tool that waits for an admin, and a change of its code needs a new approval", async () => {
    const tool = (note: string) =>
      `/**\n * permissions: node\n */\nimport os from "node:os";\nimport { defineTools, z } from "@sluice/sdk";\n// ${note}\n` +
      'export default defineTools({ tools: { cores: { description: "CPU cores", parameters: z.object({}), execute: () => os.cpus().length } } });\n';
    await sluice.api.post(`/api/v1/users/${user.id}/update`, { permissions: { workspace: { tools: true } } }, admin.token);
    const created = await sluice.api.post("/api/v1/tools/create", { id: "host_info", name: "Host info", content: tool("v1") }, user.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ specs: [], meta: { permissions: { requested: ["node"], granted: [] } } });
    expectError(await sluice.api.post("/api/v1/tools/id/host_info/permissions/approve", {}, user.token), 403);
    // Security issue, point 6: the author swaps the code between the admin's read and approve.
    const reviewed = (await sluice.api.get("/api/v1/tools/id/host_info", admin.token)).body.content_hash;
    const swapped = await sluice.api.post("/api/v1/tools/id/host_info/update", { name: "Host info", content: tool("swapped") }, user.token);
    expect(swapped.status, JSON.stringify(swapped.body)).toBe(200);
    expectError(
      await sluice.api.post("/api/v1/tools/id/host_info/permissions/approve", { content_hash: reviewed }, admin.token),
      409,
      "changed since it was reviewed",
    );
    const unapproved = await sluice.api.get("/api/v1/tools/id/host_info", admin.token);
    expect(unapproved.body).toMatchObject({ specs: [], meta: { permissions: { granted: [] } } });
    expect(fs.existsSync(path.join(sluice.server.dataDir, "plugins", "host_info"))).toBe(false);
    // The admin reads the new code, and approves what they read.
    await sluice.api.post("/api/v1/tools/id/host_info/update", { name: "Host info", content: tool("v1") }, user.token);
    const reread = (await sluice.api.get("/api/v1/tools/id/host_info", admin.token)).body.content_hash;
    const approved = await sluice.api.post("/api/v1/tools/id/host_info/permissions/approve", { content_hash: reread }, admin.token);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.specs).toEqual([expect.objectContaining({ name: "cores", description: "CPU cores" })]);
    expect(approved.body.notices[0]).toMatch(/trusted tier/i);

    const renamed = await sluice.api.post("/api/v1/tools/id/host_info/update", { name: "Host facts", content: tool("v1") }, user.token);
    expect(renamed.body.meta.permissions.granted).toEqual(["node"]);
    const changed = await sluice.api.post("/api/v1/tools/id/host_info/update", { name: "Host facts", content: tool("v2") }, user.token);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.meta.permissions).toEqual({ requested: ["node"], granted: [] });
  });

  it("cannot open the server's database by node:sqlite on any path, nor reach a Unix socket, set V8 flags or signal the server", async () => {
    const socketPath = path.join(sluice.server.dataDir, "test.sock");
    let socketConnections = 0;
    const socketServer = net.createServer((connection) => {
      socketConnections += 1;
      connection.destroy();
    });
    await new Promise<void>((resolve) => socketServer.listen(socketPath, resolve));
    try {
      const created = await sluice.api.post(
        "/api/v1/functions/create",
        { id: "breakout", name: "Breakout", content: breakoutFilter(socketPath) },
        admin.token,
      );
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      expect((await sluice.api.post("/api/v1/functions/id/breakout/permissions/approve", {}, admin.token)).status).toBe(200);
      expect((await sluice.api.post("/api/v1/functions/id/breakout/toggle", undefined, admin.token)).body.is_active).toBe(true);
      await sluice.api.post("/api/v1/functions/id/breakout/toggle/global", undefined, admin.token);
      const answer = await sluice.api.post(
        "/api/chat/completions",
        { model: "fake-small", messages: [{ role: "user", content: "hello" }] },
        user.token,
      );
      await sluice.api.post("/api/v1/functions/id/breakout/toggle/global", undefined, admin.token);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const report = JSON.parse(answer.body.choices[0].message.content.replace(/^You said: /, ""));
      // Where the server runs as root (CI), the plugin runs as nobody and cannot signal it.
      const isRoot = process.getuid?.() === 0;
      expect(report).toEqual({
        require: "ERR_ACCESS_DENIED",
        getBuiltinModule: "ERR_ACCESS_DENIED",
        createRequire: "ERR_ACCESS_DENIED",
        moduleLoad: "ERR_ACCESS_DENIED",
        import: "ERR_ACCESS_DENIED",
        v8: "ERR_ACCESS_DENIED",
        socket: "ERR_ACCESS_DENIED",
        signal: isRoot ? "EPERM" : "SENT",
      });
    } finally {
      await new Promise((resolve) => socketServer.close(resolve));
    }
    expect(socketConnections).toBe(0);
    expect(fs.existsSync(path.join(sluice.server.dataDir, "stolen.db"))).toBe(false);
    const me = await sluice.api.get("/api/v1/auths/", user.token);
    expect(me.body.role).toBe("user");
    // The database and its WAL are the server's alone.
    for (const file of ["sluice.db", "sluice.db-wal"]) expect(fs.statSync(path.join(sluice.server.dataDir, file)).mode & 0o777).toBe(0o600);
  });
});
