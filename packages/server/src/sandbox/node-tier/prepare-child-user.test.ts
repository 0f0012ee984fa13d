import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileNodePlugin } from "../../plugins/compile-node-plugin.ts";
import { silentLogger, testRequest } from "../sandbox-test-fixtures.ts";
import { NodePluginSandbox } from "./node-plugin-sandbox.ts";

// Security issue, point 5: where the server runs as root, a trusted-tier process runs as another
// OS user, so the server's files (mode 0600) and the server's process are out of its reach at
// the OS level, whatever walks past Node's permission model. Real child processes.

const NOBODY = { uid: 65534, gid: 65534 };
// Like a test server's: mkdtemp makes it 0700, which the plugin's user cannot pass through.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-child-user-"));
const isRoot = process.getuid?.() === 0;
const sandboxes: NodePluginSandbox[] = [];

afterAll(() => {
  for (const sandbox of sandboxes) sandbox.dispose();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const WHO_AM_I = `
import fs from "node:fs";
import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  inlet(body) {
    const attempt = (work) => { try { return work(); } catch (error) { return error.code ?? error.message; } };
    fs.writeFileSync("mine.txt", "written");
    return { ...body, uid: process.getuid(), gid: process.getgid(), signalServer: attempt(() => process.kill(process.ppid, 0) && "SENT") };
  },
});
`;

describe("a trusted-tier process with its own OS user", () => {
  it(isRoot ? "runs as that user in its own folder, and cannot signal the server" : "needs a server running as root", async () => {
    // An older version left a file of the server's user in the folder: it is handed over too.
    const folder = path.join(dataDir, "plugins", "who_am_i");
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(folder, "old.txt"), "old");
    const { code } = await compileNodePlugin(WHO_AM_I);
    const created = NodePluginSandbox.create(code, { pluginId: "who_am_i", dataDir, user: NOBODY, host: {}, logger: silentLogger });
    if (!isRoot) {
      await expect(created).rejects.toMatchObject({ code: "PLUGIN_LOAD_FAILED" });
      return;
    }
    const { sandbox } = await created;
    sandboxes.push(sandbox);
    const result = await sandbox.invoke(testRequest("inlet", {}));
    expect(result).toMatchObject({ ok: true, value: { uid: 65534, gid: 65534, signalServer: "EPERM" } });
    for (const file of [folder, path.join(folder, "mine.txt"), path.join(folder, "old.txt")])
      expect(fs.statSync(file)).toMatchObject(NOBODY);
    expect(fs.statSync(folder).mode & 0o777).toBe(0o700);
    // Searchable, not listable, by others: the way to the folder and to the entry script.
    expect(fs.statSync(dataDir).mode & 0o007).toBe(0o001);
    expect(fs.statSync(path.join(dataDir, "plugins")).mode & 0o007).toBe(0o001);
  });

  it.runIf(isRoot)("is refused with a clear reason when a folder above DATA_DIR is closed to that user", async () => {
    const closed = fs.mkdtempSync(path.join(dataDir, "closed-"));
    fs.chmodSync(closed, 0o700);
    const { code } = await compileNodePlugin(WHO_AM_I);
    await expect(
      NodePluginSandbox.create(code, {
        pluginId: "who_am_i",
        dataDir: path.join(closed, "data"),
        user: NOBODY,
        host: {},
        logger: silentLogger,
      }),
    ).rejects.toMatchObject({
      code: "PLUGIN_LOAD_FAILED",
      message: expect.stringMatching(new RegExp(`uid 65534, which cannot reach .*: ${closed} is not searchable by it`)),
    });
  });
});
