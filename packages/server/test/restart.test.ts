import fs from "node:fs";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { signUp, signUpAdmin } from "./helpers/accounts.ts";
import { api } from "./helpers/api.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { startServer } from "./helpers/start-server.ts";
import { createTestDatabase, type TestDatabase } from "./helpers/test-database.ts";

describeEachDatabase("restart on the same data", (kind) => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  it("keeps accounts and the generated secret key, so tokens stay valid", async () => {
    const database = await createTestDatabase(kind);
    databases.push(database);
    // No WEBUI_SECRET_KEY: the server generates one into the data folder.
    const options = { kind, database, env: { WEBUI_SECRET_KEY: undefined } };

    const first = await startServer(options);
    const admin = await signUpAdmin(first.url);
    const pending = await signUp(first.url);
    await first.stop();

    const keyFile = path.join(database.dataDir, ".secret_key");
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);

    const second = await startServer(options);
    try {
      const me = await api(second.url, admin.token).get("/api/v1/auths/");
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: admin.id, role: "admin" });
      const users = await api(second.url, admin.token).get("/api/v1/users/");
      expect(users.body.map((user: { email: string }) => user.email).sort()).toEqual([admin.email, pending.email].sort());
      const signIn = await api(second.url).post("/api/v1/auths/signin", { email: pending.email, password: pending.password });
      expect(signIn.body).toMatchObject({ id: pending.id, role: "pending" });
      // The first account stays the only admin: the next sign-up is not mistaken for the first.
      expect((await signUp(second.url)).role).toBe("pending");
    } finally {
      await second.stop();
    }
  });

  it("refuses old tokens when the secret key changes", async () => {
    const database = await createTestDatabase(kind);
    databases.push(database);
    const first = await startServer({ kind, database, env: { WEBUI_SECRET_KEY: "first-key" } });
    const admin = await signUpAdmin(first.url);
    await first.stop();
    const second = await startServer({ kind, database, env: { WEBUI_SECRET_KEY: "second-key" } });
    try {
      expect((await api(second.url, admin.token).get("/api/v1/auths/")).status).toBe(401);
    } finally {
      await second.stop();
    }
  });
});
