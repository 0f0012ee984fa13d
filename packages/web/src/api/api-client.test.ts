import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "./api-client.ts";
import { readToken, writeToken } from "./token-storage.ts";

function answer(status: number, body: unknown): void {
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })),
  );
}

describe("api client sign-out", () => {
  beforeEach(() => writeToken("session-token"));
  afterEach(() => {
    vi.unstubAllGlobals();
    writeToken(null);
  });

  it("signs out when the server refuses the token", async () => {
    answer(401, { detail: "Your session has expired; sign in again", code: "UNAUTHORIZED" });
    await expect(api.get("/api/v1/auths/")).rejects.toMatchObject({ status: 401, isAuthFailure: true });
    expect(readToken()).toBeNull();
  });

  it("stays signed in when a plugin's error says 401", async () => {
    answer(401, { detail: "Invalid token", code: "UNAUTHORIZED", plugin_id: "impostor", hook: "pipe" });
    await expect(api.post("/api/chat/completions", { model: "impostor" })).rejects.toMatchObject({
      status: 401,
      isAuthFailure: false,
      pluginId: "impostor",
    });
    expect(readToken()).toBe("session-token");
  });

  it("stays signed in on a 401 that is not the server's verdict on the token, and on 403", async () => {
    answer(401, "<html>proxy says no</html>");
    await expect(api.get("/api/v1/chats/")).rejects.toMatchObject({ status: 401 });
    answer(403, { detail: "Only admins may do this", code: "FORBIDDEN" });
    await expect(api.get("/api/v1/users/")).rejects.toMatchObject({ status: 403 });
    expect(readToken()).toBe("session-token");
  });
});
