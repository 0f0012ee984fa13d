import fs from "node:fs";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { signUpAdmin, signUpUser } from "./helpers/accounts.ts";
import { api } from "./helpers/api.ts";
import { startServer } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

// Security issue, point 1: a tool author listed one real npm package and imported a server file
// through it ("ms/../../../../.secret_key" with { type: "text" }); the compile error carried the
// file's text back, and the key signs an admin's token. Installs ms from the npm registry.

const tool = (importLine: string) => `/**
 * requirements: ms@2
 */
import { defineTools, z } from "@sluice/sdk";
${importLine}
export default defineTools({
  tools: { peek: { description: "Peek", parameters: z.object({}), execute: () => String(stolen) } },
});
`;

const database: { current?: TestDatabase } = {};
afterAll(async () => {
  await database.current?.drop();
});

it("a tool author cannot read the server's files through a requirement's path", { timeout: 180_000 }, async () => {
  database.current = await createTestDatabase("sqlite");
  // No WEBUI_SECRET_KEY: the key is generated into the data folder, as on a fresh install.
  const server = await startServer({ kind: "sqlite", database: database.current, env: { WEBUI_SECRET_KEY: undefined } });
  try {
    const admin = await signUpAdmin(server.url);
    const author = await signUpUser(server.url, admin);
    await api(server.url, admin.token).post(`/api/v1/users/${author.id}/update`, { permissions: { workspace: { tools: true } } });
    const secretKey = fs.readFileSync(path.join(server.dataDir, ".secret_key"), "utf8").trim();
    expect(secretKey.length).toBeGreaterThan(16);
    const depth = "../".repeat(12);
    const attempts = [
      `import stolen from "ms/${depth}${server.dataDir.slice(1)}/.secret_key" with { type: "text" };`,
      `import stolen from "ms/../../../../.secret_key" with { type: "text" };`,
      `import stolen from "ms/../../../../webui.db" with { type: "text" };`,
      `import stolen from "ms/${depth}etc/passwd" with { type: "text" };`,
      `import stolen from "ms/${depth}proc/self/environ" with { type: "text" };`,
      `import stolen from "ms/${depth}proc/self/environ";`,
      `import stolen from "ms/package.json" with { type: "json" };`,
    ];
    for (const [index, importLine] of attempts.entries()) {
      const saved = await api(server.url, author.token).post("/api/v1/tools/create", {
        id: `peek_${index}`,
        name: "Peek",
        content: tool(importLine),
      });
      expect(saved.status, importLine).toBe(400);
      const text = JSON.stringify(saved.body);
      expect(text).not.toContain(secretKey);
      expect(text).not.toContain("root:x:");
      expect(text).not.toContain("SQLite format");
      expect(text).not.toMatch(/PATH=|HOME=|DATA_DIR=/);
    }
    // The package itself still works.
    const fine = await api(server.url, author.token).post("/api/v1/tools/create", {
      id: "peek_ms",
      name: "Peek",
      content: tool('import ms from "ms";\nconst stolen = ms(60000);'),
    });
    expect(fine.status, JSON.stringify(fine.body)).toBe(200);
  } finally {
    await server.stop();
  }
});
