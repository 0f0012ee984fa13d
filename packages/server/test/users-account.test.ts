import OpenAI from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApiKey, signUp, signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";

const TINY_PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

describeEachDatabase("accounts: admin-made users, sign-up settings, profile, UI settings, API keys", (kind) => {
  let upstream: FakeUpstream;
  const env: Record<string, string> = { ENABLE_TITLE_GENERATION: "false" };
  beforeAll(async () => {
    upstream = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = upstream.baseUrl;
  });
  afterAll(() => upstream?.close());
  const sluice = useServer({ kind, env });
  let admin: TestAccount;
  let alice: TestAccount;

  it("lets an admin create an account with a role, which then signs in", async () => {
    admin = await signUpAdmin(sluice.url);
    const created = await sluice.api.post(
      "/api/v1/auths/add",
      { name: "Carol", email: "Carol@Example.com", password: "carol's password", role: "user" },
      admin.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    // Open WebUI's SigninResponse: the new account and a session token for it.
    expect(created.body).toEqual({
      token: expect.any(String),
      token_type: "Bearer",
      id: expect.any(String),
      email: "carol@example.com",
      name: "Carol",
      role: "user",
      profile_image_url: null,
    });
    expect(created.body.id).not.toBe(admin.id);
    // The token is Carol's session, not the admin's.
    const session = await sluice.api.get("/api/v1/auths/", created.body.token);
    expect(session.status, JSON.stringify(session.body)).toBe(200);
    expect(session.body).toMatchObject({ id: created.body.id, email: "carol@example.com", role: "user" });
    expect((await sluice.api.get("/api/v1/chats/", created.body.token)).status).toBe(200);
    expectError(await sluice.api.get("/api/v1/users/", created.body.token), 403);
    const signedIn = await sluice.api.post("/api/v1/auths/signin", { email: "carol@example.com", password: "carol's password" });
    expect(signedIn.body).toMatchObject({ id: created.body.id, role: "user" });
  });

  it("refuses bad accounts from admins and any account from non-admins", async () => {
    alice = await signUpUser(sluice.url, admin);
    expectError(
      await sluice.api.post("/api/v1/auths/add", { name: "X", email: "not an email", password: "long enough" }, admin.token),
      400,
      "email",
    );
    expectError(
      await sluice.api.post("/api/v1/auths/add", { name: "X", email: "carol@example.com", password: "long enough" }, admin.token),
      400,
      "already registered",
    );
    expectError(
      await sluice.api.post("/api/v1/auths/add", { name: "X", email: "x@example.com", password: "p", role: "owner" }, admin.token),
      400,
      "role",
    );
    expectError(
      await sluice.api.post("/api/v1/auths/add", { name: "X", email: "x@example.com", password: "long enough" }, alice.token),
      403,
    );
  });

  it("turns sign-up off and on and sets the default role, as Open WebUI's admin config", async () => {
    expect((await sluice.api.get("/api/v1/auths/admin/config", admin.token)).body).toEqual({
      ENABLE_SIGNUP: true,
      DEFAULT_USER_ROLE: "pending",
    });
    expectError(await sluice.api.get("/api/v1/auths/admin/config", alice.token), 403);
    expectError(await sluice.api.post("/api/v1/auths/admin/config", { ENABLE_SIGNUP: false }, alice.token), 403);
    expectError(await sluice.api.post("/api/v1/auths/admin/config", { ENABLE_SIGNUP: "no" }, admin.token), 400, "ENABLE_SIGNUP");
    expectError(await sluice.api.post("/api/v1/auths/admin/config", { DEFAULT_USER_ROLE: "admin" }, admin.token), 400, "DEFAULT_USER_ROLE");

    const off = await sluice.api.post("/api/v1/auths/admin/config", { ENABLE_SIGNUP: false }, admin.token);
    expect(off.body).toEqual({ ENABLE_SIGNUP: false, DEFAULT_USER_ROLE: "pending" });
    expect((await sluice.api.get("/api/config")).body.features).toEqual({ enable_signup: false });
    expectError(
      await sluice.api.post("/api/v1/auths/signup", { name: "Eve", email: "eve@example.com", password: "long enough" }),
      403,
      "Sign-up is disabled",
    );

    await sluice.api.post("/api/v1/auths/admin/config", { ENABLE_SIGNUP: true, DEFAULT_USER_ROLE: "user" }, admin.token);
    expect((await sluice.api.get("/api/config")).body).toMatchObject({ default_user_role: "user", features: { enable_signup: true } });
    expect((await signUp(sluice.url, { name: "Eve" })).role).toBe("user");
    await sluice.api.post("/api/v1/auths/admin/config", { DEFAULT_USER_ROLE: "pending" }, admin.token);
  });

  it("changes the caller's name and avatar, shown in its session", async () => {
    const updated = await sluice.api.post(
      "/api/v1/auths/update/profile",
      { name: "Alice Liddell", profile_image_url: TINY_PNG },
      alice.token,
    );
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body).toMatchObject({ id: alice.id, name: "Alice Liddell", profile_image_url: TINY_PNG });
    expect((await sluice.api.get("/api/v1/auths/", alice.token)).body).toMatchObject({
      name: "Alice Liddell",
      profile_image_url: TINY_PNG,
    });
    expect((await sluice.api.get(`/api/v1/users/${alice.id}`, admin.token)).body.profile_image_url).toBe(TINY_PNG);

    expectError(await sluice.api.post("/api/v1/auths/update/profile", { name: "" }, alice.token), 400, "Name");
    expectError(
      await sluice.api.post("/api/v1/auths/update/profile", { profile_image_url: "javascript:alert(1)" }, alice.token),
      400,
      "profile_image_url",
    );
    expectError(
      await sluice.api.post(
        "/api/v1/auths/update/profile",
        { profile_image_url: `data:image/png;base64,${"A".repeat(300_000)}` },
        alice.token,
      ),
      400,
      "too long",
    );
    const removed = await sluice.api.post("/api/v1/auths/update/profile", { profile_image_url: "" }, alice.token);
    expect(removed.body.profile_image_url).toBeNull();
    expectError(await sluice.api.post("/api/v1/auths/update/profile", { name: "Nobody" }), 401);
  });

  it("stores the caller's UI settings (language) and nothing else of its settings", async () => {
    expect((await sluice.api.get("/api/v1/users/user/settings", alice.token)).body).toEqual({ ui: {} });
    const saved = await sluice.api.post("/api/v1/users/user/settings/update", { ui: { language: "de-CH" } }, alice.token);
    expect(saved.body).toEqual({ ui: { language: "de-CH" } });
    expect((await sluice.api.get("/api/v1/users/user/settings", alice.token)).body).toEqual({ ui: { language: "de-CH" } });
    expectError(
      await sluice.api.post("/api/v1/users/user/settings/update", { ui: { language: "<script>" } }, alice.token),
      400,
      "language",
    );
    expectError(
      await sluice.api.post("/api/v1/users/user/settings/update", { permissions: { workspace: { tools: true } } }, alice.token),
      400,
      "ui",
    );
    // Writing UI settings cannot grant permissions.
    await sluice.api.post(
      "/api/v1/users/user/settings/update",
      { ui: { language: "en" }, permissions: { workspace: { tools: true } } },
      alice.token,
    );
    expect((await sluice.api.get("/api/v1/users/permissions", alice.token)).body).toEqual({ workspace: { tools: false } });
  });

  it("lists approved users to share with, and a user's own groups", async () => {
    const found = await sluice.api.get("/api/v1/users/search?query=carol", alice.token);
    expect(found.body.users.map((user: { name: string }) => user.name)).toEqual(["Carol"]);
    expect(found.body.users[0]).not.toHaveProperty("permissions");
    const group = await sluice.api.post("/api/v1/groups/create", { name: "Readers", user_ids: [alice.id] }, admin.token);
    await sluice.api.post("/api/v1/groups/create", { name: "Others" }, admin.token);
    expect((await sluice.api.get("/api/v1/groups/", alice.token)).body.map((item: { id: string }) => item.id)).toEqual([group.body.id]);
    expect((await sluice.api.get("/api/v1/groups/", admin.token)).body).toHaveLength(2);
    expectError(await sluice.api.post(`/api/v1/groups/id/${group.body.id}/update`, { name: "Mine" }, alice.token), 403);
  });

  it("serves the official openai client with an API key, until the key is revoked", async () => {
    const key = await createApiKey(sluice.url, alice);
    expect(key).toMatch(/^sk-[0-9a-f]{48}$/);
    expect((await sluice.api.get("/api/v1/auths/api_key", alice.token)).body).toEqual({ api_key: `sk-…${key.slice(-4)}` });
    const client = new OpenAI({ baseURL: `${sluice.url}/api`, apiKey: key, maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain("fake-small");
    const answer = await client.chat.completions.create({ model: "fake-small", messages: [{ role: "user", content: "key works" }] });
    expect(answer.choices[0]!.message.content).toBe("You said: key works");

    expect((await sluice.api.delete("/api/v1/auths/api_key", alice.token)).status).toBe(200);
    expect((await sluice.api.get("/api/v1/auths/api_key", alice.token)).body).toEqual({ api_key: null });
    await expect(client.models.list()).rejects.toMatchObject({ status: 401 });
  });
});
