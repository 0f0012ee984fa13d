import { io } from "socket.io-client";
import { expect, it } from "vitest";
import { createApiKey, signUp, signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { connectSocket, refusedConnection } from "./helpers/connect-socket.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { startServer } from "./helpers/start-server.ts";
import { useServer } from "./helpers/use-server.ts";

describeEachDatabase("realtime sessions", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let user: TestAccount;

  it("sets up an admin and a user", async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
  });

  it("accepts a socket that authenticates with its JWT or API key", async () => {
    const withToken = await connectSocket(sluice.url, user.token);
    expect(withToken.socket.connected).toBe(true);
    const withKey = await connectSocket(sluice.url, await createApiKey(sluice.url, user));
    expect(withKey.socket.connected).toBe(true);
    withToken.close();
    withKey.close();
  });

  it("accepts the default client transport (polling, then upgrade)", async () => {
    const socket = io(sluice.url, { path: "/ws/socket.io", auth: { token: user.token }, reconnection: false, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("connect_error", reject);
      });
      expect(socket.connected).toBe(true);
    } finally {
      socket.close();
    }
  });

  it("refuses a socket without valid credentials, and a pending account, saying why", async () => {
    expect(await refusedConnection(sluice.url)).toMatch(/Not authenticated: connect with auth: \{ token/);
    expect(await refusedConnection(sluice.url, { token: "" })).toMatch(/Not authenticated/);
    expect(await refusedConnection(sluice.url, { token: 42 })).toMatch(/Not authenticated/);
    expect(await refusedConnection(sluice.url, { token: "not-a-jwt" })).toBe("Invalid token");
    expect(await refusedConnection(sluice.url, { token: "sk-unknown" })).toBe("Invalid API key");
    const pending = await signUp(sluice.url);
    expect(pending.role).toBe("pending");
    expect(await refusedConnection(sluice.url, { token: pending.token })).toBe("Your account is waiting for an admin's approval");
  });

  it("answers Open WebUI's user-join with the user, or the reason it was refused", async () => {
    const tab = await connectSocket(sluice.url, user.token);
    try {
      const joined = await tab.socket.timeout(5000).emitWithAck("user-join", { auth: { token: user.token } });
      expect(joined).toEqual({ id: user.id, name: user.name, role: "user" });
      const refused = await tab.socket.timeout(5000).emitWithAck("user-join", { auth: { token: "bad" } });
      expect(refused).toEqual({ error: "Invalid token" });
      const malformed = await tab.socket.timeout(5000).emitWithAck("user-join", "hello");
      expect(malformed.error).toMatch(/Not authenticated/);
      expect(tab.socket.connected).toBe(true);
    } finally {
      tab.close();
    }
  });

  it("serves nothing but socket.io under /ws/socket.io, and the HTTP API still works", async () => {
    const response = await fetch(`${sluice.url}/ws/socket.io/?EIO=4&transport=polling`);
    // Unauthenticated polling handshakes are opened; the socket.io CONNECT is what gets refused.
    expect(response.status).toBe(200);
    expect((await sluice.api.get("/health")).body).toEqual({ status: true });
  });
});

it("stops promptly with sockets still connected", async () => {
  const server = await startServer({ kind: "sqlite" });
  try {
    const admin = await signUpAdmin(server.url);
    const tab = await connectSocket(server.url, admin.token);
    const disconnected = new Promise<string>((resolve) => tab.socket.once("disconnect", resolve));
    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await disconnected).toBeTruthy();
    expect(server.output()).not.toMatch(/shutdown took too long|error while shutting down/);
  } finally {
    await server.stop();
  }
});
