import http from "node:http";
import { SignJWT } from "jose";
import { expect, it } from "vitest";
import { createApiKey, signUp, signUpAdmin, type TestAccount } from "./helpers/accounts.ts";
import { api, type ApiResponse } from "./helpers/api.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { TEST_SECRET_KEY } from "./helpers/start-server.ts";
import { useServer } from "./helpers/use-server.ts";

/**
 * Announces a body of `length` bytes and waits for the answer without sending it: the server
 * refuses by Content-Length at once. (Sending the body races the server closing the socket.)
 */
function postAnnouncedLength(url: string, length: number): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: "POST", headers: { "content-type": "application/json", "content-length": String(length) } },
      (response) => {
        let text = "";
        response.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
        response.on("end", () => {
          request.destroy();
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text), headers: new Headers() });
        });
      },
    );
    request.on("error", reject);
    request.flushHeaders();
  });
}

describeEachDatabase("accounts", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let pending: TestAccount;

  it("makes the first account admin and returns a session", async () => {
    const { status, body } = await sluice.api.post("/api/v1/auths/signup", {
      name: "Ada",
      email: "  Ada@Example.COM ",
      password: "first password",
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", name: "Ada", email: "ada@example.com", role: "admin" });
    expect(body.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(body).not.toHaveProperty("password_hash");
    admin = { id: body.id, name: "Ada", email: body.email, password: "first password", role: "admin", token: body.token };
  });

  it("makes later accounts pending", async () => {
    pending = await signUp(sluice.url, { name: "Bob" });
    expect(pending.role).toBe("pending");
  });

  it("signs in with the password, the email in any case, and returns a working token", async () => {
    const { status, body } = await sluice.api.post("/api/v1/auths/signin", { email: "ADA@example.com", password: "first password" });
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: admin.id, email: "ada@example.com", role: "admin", token_type: "Bearer" });
    const me = await sluice.api.get("/api/v1/auths/", body.token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: admin.id, name: "Ada", email: "ada@example.com", role: "admin" });
  });

  it("refuses a wrong password and an unknown email with the same message", async () => {
    const wrong = await sluice.api.post("/api/v1/auths/signin", { email: admin.email, password: "nope" });
    const unknown = await sluice.api.post("/api/v1/auths/signin", { email: "nobody@example.com", password: "first password" });
    expectError(wrong, 400, "Wrong email or password");
    expectError(unknown, 400, "Wrong email or password");
    expect(unknown.body.detail).toBe(wrong.body.detail);
  });

  it("refuses a second account with the same email, whatever its case", async () => {
    expectError(
      await sluice.api.post("/api/v1/auths/signup", { name: "Copy", email: "ADA@EXAMPLE.com", password: "long enough" }),
      400,
      "This email is already registered",
    );
  });

  it("refuses malformed emails, empty passwords and empty names, naming the field", async () => {
    expectError(await sluice.api.post("/api/v1/auths/signup", { name: "C", email: "not-an-email", password: "x" }), 400, /email/i);
    expectError(await sluice.api.post("/api/v1/auths/signup", { name: "C", email: "c@example.com", password: "" }), 400, /password/i);
    expectError(await sluice.api.post("/api/v1/auths/signup", { name: " ", email: "c@example.com", password: "x" }), 400, /name/i);
    expectError(await sluice.api.post("/api/v1/auths/signup", {}), 400, /email/);
    // None of the refused sign-ups created an account.
    expect((await sluice.api.post("/api/v1/auths/signin", { email: "c@example.com", password: "x" })).status).toBe(400);
  });

  it("lets a pending user read its own account and nothing else", async () => {
    const me = await sluice.api.get("/api/v1/auths/", pending.token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: pending.id, role: "pending" });
    expectError(await sluice.api.get("/api/v1/users/", pending.token), 403, "waiting for an admin's approval");
    expectError(await sluice.api.post("/api/v1/auths/api_key", undefined, pending.token), 403, "approval");
    expectError(await sluice.api.get("/api/v1/users/permissions", pending.token), 403, "approval");
  });

  it("lets the admin list users without password hashes and approve a pending user", async () => {
    const list = await sluice.api.get("/api/v1/users/", admin.token);
    expect(list.status).toBe(200);
    expect(list.body.map((user: { email: string }) => user.email).sort()).toEqual([admin.email, pending.email].sort());
    expect(JSON.stringify(list.body)).not.toMatch(/password|scrypt/);

    const approved = await sluice.api.post(`/api/v1/users/${pending.id}/update`, { role: "user" }, admin.token);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id: pending.id, role: "user" });
    // The same token now reaches verified routes.
    expect((await sluice.api.get("/api/v1/auths/api_key", pending.token)).body).toEqual({ api_key: null });
    expect((await sluice.api.get("/api/v1/auths/", pending.token)).body.role).toBe("user");
  });

  it("keeps admin routes from users", async () => {
    expectError(await sluice.api.get("/api/v1/users/", pending.token), 403, "Only admins");
    expectError(await sluice.api.post(`/api/v1/users/${pending.id}/update`, { role: "admin" }, pending.token), 403);
  });

  it("accepts an API key wherever a token works, shows only its hint, and refuses it once deleted", async () => {
    const key = await createApiKey(sluice.url, pending);
    expect(key).toMatch(/^sk-[0-9a-f]{48}$/);
    const me = await sluice.api.get("/api/v1/auths/", key);
    expect(me.body).toMatchObject({ id: pending.id, email: pending.email });
    expect((await sluice.api.get("/api/v1/auths/api_key", key)).body).toEqual({ api_key: `sk-…${key.slice(-4)}` });

    const replacement = await createApiKey(sluice.url, pending);
    expectError(await sluice.api.get("/api/v1/auths/", key), 401, "Invalid API key");
    expect((await sluice.api.delete("/api/v1/auths/api_key", replacement)).status).toBe(200);
    expectError(await sluice.api.get("/api/v1/auths/", replacement), 401);
    expect((await sluice.api.get("/api/v1/auths/api_key", pending.token)).body).toEqual({ api_key: null });
  });

  it("changes a password only with the current one", async () => {
    expectError(
      await sluice.api.post("/api/v1/auths/update/password", { password: "wrong", new_password: "second password" }, pending.token),
      400,
      "current password",
    );
    expect(
      (
        await sluice.api.post(
          "/api/v1/auths/update/password",
          { password: pending.password, new_password: "second password" },
          pending.token,
        )
      ).status,
    ).toBe(200);
    expect((await sluice.api.post("/api/v1/auths/signin", { email: pending.email, password: pending.password })).status).toBe(400);
    expect((await sluice.api.post("/api/v1/auths/signin", { email: pending.email, password: "second password" })).status).toBe(200);
  });

  it("answers 401 with a reason for missing, forged and expired credentials", async () => {
    expectError(await sluice.api.get("/api/v1/auths/"), 401, "Not authenticated");
    expectError(await sluice.api.get("/api/v1/auths/", "not-a-token"), 401, "Invalid token");
    const forged = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(admin.id).sign(Buffer.from("another secret"));
    expectError(await sluice.api.get("/api/v1/users/", forged), 401, "Invalid token");
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(admin.id)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(Buffer.from(TEST_SECRET_KEY));
    expectError(await sluice.api.get("/api/v1/users/", expired), 401, "expired");
    expectError(await sluice.api.request("GET", "/api/v1/auths/", { headers: { authorization: "Basic abc" } }), 401, "Bearer");
  });

  it("answers unknown routes with 404 and malformed JSON with 400, as JSON", async () => {
    expectError(await sluice.api.get("/api/v1/nothing-here"), 404, "/api/v1/nothing-here");
    expectError(await sluice.api.request("POST", "/api/v1/auths/signin", { rawBody: '{"email": ' }), 400, /JSON/);
  });

  it("accepts an empty JSON body, as Open WebUI's web client sends on some POSTs", async () => {
    const response = await sluice.api.request("POST", "/api/v1/auths/api_key", {
      token: admin.token,
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(200);
    expect(response.body.api_key).toMatch(/^sk-/);
  });

  it("refuses bodies over 10 MB with 413", async () => {
    expectError(await postAnnouncedLength(`${sluice.url}/api/v1/auths/signin`, 11 * 1024 * 1024), 413, "too large");
  });
});

describeEachDatabase("accounts with DEFAULT_USER_ROLE=user", (kind) => {
  const sluice = useServer({ kind, env: { DEFAULT_USER_ROLE: "user" } });

  it("makes later accounts users who can work at once", async () => {
    await signUpAdmin(sluice.url);
    const user = await signUp(sluice.url);
    expect(user.role).toBe("user");
    expect((await api(sluice.url, user.token).post("/api/v1/auths/api_key")).status).toBe(200);
  });
});
