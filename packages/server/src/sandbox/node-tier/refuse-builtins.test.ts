import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileNodePlugin } from "../../plugins/compile-node-plugin.ts";
import { silentLogger, testRequest } from "../sandbox-test-fixtures.ts";
import { NodePluginSandbox } from "./node-plugin-sandbox.ts";

// Security issue, point 5: node:sqlite, v8 and Unix sockets walk past Node's permission model
// (an approved plugin read and wrote the server's database while `fs` on it was denied). The
// child refuses them on every path that loads a built-in. Real child processes.

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-refuse-"));
const databaseFile = path.join(dataDir, "sluice.db");
const copyFile = path.join(dataDir, "copy.db");
const socketFile = path.join(dataDir, "server.sock");
const listenFile = path.join(dataDir, "plugin.sock");
let sandbox: NodePluginSandbox;
let socketServer: net.Server;
let socketConnections = 0;

// Each attempt answers the error code it failed with, or "OPENED" / what it managed.
const BREAKOUT = `
import { createRequire } from "node:module";
import http from "node:http";
import net from "node:net";
import vm from "node:vm";
import { defineFilter } from "@sluice/sdk";
const code = (error) => error?.code ?? error?.message ?? String(error);
const sqliteAttempt = (database, file, copy) => {
  const db = new database.DatabaseSync(file);
  db.exec("UPDATE user SET role = 'admin'");
  db.exec("VACUUM INTO '" + copy + "'");
  return "OPENED";
};
export default defineFilter({
  async inlet(body) {
    const { file, copy, socket, listen } = body;
    const attempts = {
      require: () => sqliteAttempt(require("node:sqlite"), file, copy),
      getBuiltinModule: () => sqliteAttempt(process.getBuiltinModule("node:sqlite"), file, copy),
      getBuiltinModuleBare: () => sqliteAttempt(process.getBuiltinModule("sqlite"), file, copy),
      createRequire: () => sqliteAttempt(createRequire(process.cwd() + "/x.js")("node:sqlite"), file, copy),
      createRequireBare: () => sqliteAttempt(createRequire(process.cwd() + "/x.js")("sqlite"), file, copy),
      mainModuleRequire: () => sqliteAttempt(process.mainModule.require("node:sqlite"), file, copy),
      moduleLoad: () => sqliteAttempt(process.mainModule.constructor._load("node:sqlite"), file, copy),
      moduleBuiltinLoad: () => sqliteAttempt(process.getBuiltinModule("node:module")._load("node:sqlite", null, false), file, copy),
      importViaVm: async () => sqliteAttempt(await vm.runInThisContext("import('node:sqlite')", { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }), file, copy),
      importBareViaVm: async () => sqliteAttempt(await vm.runInThisContext("import('sqlite')", { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }), file, copy),
      importViaFunction: async () => sqliteAttempt(await new Function("return import('node:sqlite')")(), file, copy),
      ownHooks: () => process.getBuiltinModule("node:module").registerHooks({ resolve: (specifier, context, next) => next(specifier, context) }) && "REGISTERED",
      ownHooksViaImport: async () => (await vm.runInThisContext("import('node:module')", { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER })).registerHooks({}) && "REGISTERED",
      v8Flags: () => require("node:v8").setFlagsFromString("--allow-natives-syntax") ?? "SET",
      v8FlagsBare: () => process.getBuiltinModule("v8").setFlagsFromString("--allow-natives-syntax") ?? "SET",
      v8ViaImport: async () => (await vm.runInThisContext("import('v8')", { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER })).setFlagsFromString("--allow-natives-syntax") ?? "SET",
      repl: () => typeof require("node:repl").start,
      restoreGetBuiltinModule: () => { process.getBuiltinModule = (name) => name; return process.getBuiltinModule("node:sqlite") === "node:sqlite" ? "REPLACED" : "KEPT"; },
      unixConnect: () => new Promise((resolve) => { const connection = net.connect({ path: socket }); connection.on("connect", () => { connection.destroy(); resolve("CONNECTED"); }); connection.on("error", (error) => resolve(code(error))); }),
      unixConnectString: () => new Promise((resolve) => { const connection = net.createConnection(socket); connection.on("connect", () => { connection.destroy(); resolve("CONNECTED"); }); connection.on("error", (error) => resolve(code(error))); }),
      unixHttp: () => new Promise((resolve) => { const request = http.request({ socketPath: socket, path: "/" }, () => resolve("CONNECTED")); request.on("error", (error) => resolve(code(error))); request.end(); }),
      unixListen: () => new Promise((resolve) => { const server = net.createServer(); server.on("error", (error) => resolve(code(error))); server.listen(listen, () => { server.close(); resolve("LISTENING"); }); }),
    };
    const results = {};
    for (const [name, attempt] of Object.entries(attempts)) {
      try { results[name] = await attempt(); } catch (error) { results[name] = code(error); }
    }
    const tcp = await new Promise((resolve) => { const server = net.createServer(); server.listen(0, "127.0.0.1", () => { const port = server.address().port; server.close(); resolve(port > 0 ? "TCP" : "NO"); }); server.on("error", (error) => resolve(code(error))); });
    return { ...body, results, tcp };
  },
});
`;

beforeAll(async () => {
  const database = new DatabaseSync(databaseFile);
  database.exec("CREATE TABLE user (id TEXT, role TEXT); INSERT INTO user VALUES ('u1', 'user')");
  database.close();
  socketServer = net.createServer((connection) => {
    socketConnections += 1;
    connection.destroy();
  });
  await new Promise<void>((resolve) => socketServer.listen(socketFile, resolve));
  const { code } = await compileNodePlugin(BREAKOUT);
  ({ sandbox } = await NodePluginSandbox.create(code, {
    pluginId: "breakout",
    dataDir,
    host: {},
    logger: silentLogger,
    timeoutMs: 20_000,
  }));
});

afterAll(async () => {
  sandbox?.dispose();
  await new Promise((resolve) => socketServer?.close(resolve));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("a trusted-tier plugin", () => {
  it("cannot load node:sqlite, v8 or repl, or connect to or listen on a Unix socket, by any path", async () => {
    const result = await sandbox.invoke(
      testRequest("inlet", { file: databaseFile, copy: copyFile, socket: socketFile, listen: listenFile }),
    );
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const { results, tcp } = (result as { value: { results: Record<string, string>; tcp: string } }).value;
    const denied = "ERR_ACCESS_DENIED";
    expect(results).toEqual({
      require: denied,
      getBuiltinModule: denied,
      // `sqlite` without `node:` is not a built-in: there is no such module.
      getBuiltinModuleBare: "Cannot read properties of undefined (reading 'DatabaseSync')",
      createRequire: denied,
      createRequireBare: "MODULE_NOT_FOUND",
      mainModuleRequire: denied,
      moduleLoad: denied,
      moduleBuiltinLoad: denied,
      importViaVm: denied,
      importBareViaVm: "ERR_MODULE_NOT_FOUND",
      importViaFunction: expect.stringMatching(/^ERR_ACCESS_DENIED$|^ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING/),
      ownHooks: denied,
      ownHooksViaImport: denied,
      v8Flags: denied,
      v8FlagsBare: denied,
      v8ViaImport: denied,
      repl: denied,
      // The assignment does not take (or throws in strict code): the guarded function stays.
      restoreGetBuiltinModule: expect.stringMatching(/^ERR_ACCESS_DENIED$|^Cannot assign to read only property/),
      unixConnect: denied,
      unixConnectString: denied,
      unixHttp: denied,
      unixListen: denied,
    });
    // TCP is not restricted (Node 24 has no network permission).
    expect(tcp).toBe("TCP");
    const database = new DatabaseSync(databaseFile, { readOnly: true });
    expect(database.prepare("SELECT role FROM user WHERE id = 'u1'").get()).toEqual({ role: "user" });
    database.close();
    expect(fs.existsSync(copyFile)).toBe(false);
    expect(fs.existsSync(listenFile)).toBe(false);
    expect(socketConnections).toBe(0);
  });
});
