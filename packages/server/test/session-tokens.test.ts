import { describe, expect, it } from "vitest";
import { createApiKey, signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";

const FOUR_WEEKS = 28 * 24 * 60 * 60;

function claimsOf(token: string): { exp?: number; iat?: number; ver?: number } {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

describeEachDatabase("session tokens", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let user: TestAccount;

  const signIn = async (account: TestAccount, password = account.password) => {
    const response = await sluice.api.post("/api/v1/auths/signin", { email: account.email, password });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as { token: string; expires_at: number | null };
  };

  it("expire after four weeks by default", async () => {
    const before = Math.floor(Date.now() / 1000);
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
    const session = await signIn(user);
    expect(session.expires_at).toBeGreaterThanOrEqual(before + FOUR_WEEKS);
    expect(session.expires_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + FOUR_WEEKS);
    expect(claimsOf(session.token).exp).toBe(session.expires_at);
  });

  it("are all revoked when the user changes the password, and new ones work", async () => {
    const otherDevice = (await signIn(user)).token;
    const apiKey = await createApiKey(sluice.url, user);
    expect((await sluice.api.get("/api/v1/auths/", otherDevice)).status).toBe(200);

    const changed = await sluice.api.post(
      "/api/v1/auths/update/password",
      { password: user.password, new_password: "a brand new password" },
      user.token,
    );
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expectError(await sluice.api.get("/api/v1/auths/", user.token), 401, "password was changed");
    expectError(await sluice.api.get("/api/v1/chats/", otherDevice), 401, "password was changed");
    // An API key is a separate credential: it is revoked by deleting it, not by a password change.
    expect((await sluice.api.get("/api/v1/auths/", apiKey)).status).toBe(200);

    user.password = "a brand new password";
    user.token = (await signIn(user)).token;
    expect((await sluice.api.get("/api/v1/auths/", user.token)).body).toMatchObject({ id: user.id });
  });

  it("are revoked when an admin sets the user's password", async () => {
    const before = user.token;
    const reset = await sluice.api.post(`/api/v1/users/${user.id}/update`, { password: "set by the admin" }, admin.token);
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expectError(await sluice.api.get("/api/v1/auths/", before), 401, "password was changed");
    expect((await sluice.api.get("/api/v1/auths/", admin.token)).status).toBe(200);
    const after = await signIn(user, "set by the admin");
    expect((await sluice.api.get("/api/v1/auths/", after.token)).status).toBe(200);
  });

  it("are not revoked by other account changes", async () => {
    const session = await signIn(admin);
    const renamed = await sluice.api.post(`/api/v1/users/${admin.id}/update`, { name: "Renamed admin" }, admin.token);
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect((await sluice.api.get("/api/v1/auths/", session.token)).status).toBe(200);
  });
});

describe("session tokens with a short lifetime", () => {
  const sluice = useServer({ kind: "sqlite", env: { JWT_EXPIRES_IN_SECONDS: "2" } });

  it("are refused once the lifetime has passed", async () => {
    const admin = await signUpAdmin(sluice.url);
    const session = await sluice.api.post("/api/v1/auths/signin", { email: admin.email, password: admin.password });
    const { exp, iat } = claimsOf(session.body.token);
    expect(exp! - iat!).toBe(2);
    // Past the expiry by a whole second, however slow the machine was until now.
    await delay(Math.max(0, (exp! + 1) * 1000 - Date.now()));
    expectError(await sluice.api.get("/api/v1/auths/", session.body.token), 401, "expired");
  });
});

describe("session tokens that never expire", () => {
  const sluice = useServer({ kind: "sqlite", env: { JWT_EXPIRES_IN_SECONDS: "0" } });

  it("only when the operator sets the lifetime to 0", async () => {
    const admin = await signUpAdmin(sluice.url);
    const session = await sluice.api.post("/api/v1/auths/signin", { email: admin.email, password: admin.password });
    expect(session.body.expires_at).toBeNull();
    expect(claimsOf(session.body.token).exp).toBeUndefined();
  });
});
