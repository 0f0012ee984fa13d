import { expect, it, vi } from "vitest";
import { signUpAdmin } from "./helpers/accounts.ts";
import { connectSocket } from "./helpers/connect-socket.ts";
import { useServer } from "./helpers/use-server.ts";

// Fixes issue, point 16: ctx.emit({type: "execute"}) while execute events were off failed the
// whole action with 403. Emitting is fire-and-forget: the event is dropped with a warning naming
// the plugin, and the hook finishes; ctx.call of one still fails clearly, since it waits.

const ACTION = `import { defineAction } from "@sluice/sdk";
export default defineAction({
  async action(body, ctx) {
    await ctx.emit({ type: "execute", data: { code: "document.title = 'hi'" } });
    await ctx.emit({ type: "status", data: { description: "after execute", done: true } });
    if (body.mode === "call") return { called: await ctx.call({ type: "execute", data: { code: "1" } }) };
    return { done: true };
  },
});
`;

it("an execute event emitted while those are off is dropped and the action finishes", async () => {
  // (one server for this file)
  const admin = await signUpAdmin(sluice.url);
  expect((await sluice.api.post("/api/v1/functions/create", { id: "runner", name: "Runner", content: ACTION }, admin.token)).status).toBe(
    200,
  );
  await sluice.api.post("/api/v1/functions/id/runner/toggle", undefined, admin.token);
  await sluice.api.post("/api/v1/functions/id/runner/toggle/global", undefined, admin.token);
  // A model for the action to sit on.
  await sluice.api.post(
    "/api/v1/functions/create",
    {
      id: "echo",
      name: "Echo",
      content: 'import { definePipe } from "@sluice/sdk";\nexport default definePipe({ pipe: () => "echo" });\n',
    },
    admin.token,
  );
  await sluice.api.post("/api/v1/functions/id/echo/toggle", undefined, admin.token);
  const chatId = (
    await sluice.api.post(
      "/api/v1/chats/new",
      { chat: { title: "Run", messages: [{ id: "m1", role: "assistant", content: "x" }] } },
      admin.token,
    )
  ).body.id;
  const tab = await connectSocket(sluice.url, admin.token);
  try {
    const body = {
      model: "echo",
      messages: [{ id: "m1", role: "assistant", content: "x" }],
      chat_id: chatId,
      id: "m1",
      session_id: tab.socket.id,
    };
    const finished = await sluice.api.post("/api/chat/actions/runner", body, admin.token);
    expect(finished.status, JSON.stringify(finished.body)).toBe(200);
    expect(await tab.next((envelope) => envelope.data.type === "status")).toMatchObject({
      data: { data: { description: "after execute" } },
    });
    expect(tab.received.some((envelope) => envelope.data.type === "execute")).toBe(false);
    // The server's log reaches this process through a pipe, possibly after the HTTP answer.
    await vi.waitFor(() => expect(sluice.server.output()).toMatch(/"pluginId":"runner".*execute event dropped/), {
      timeout: 10_000,
      interval: 50,
    });

    const called = await sluice.api.post("/api/chat/actions/runner", { ...body, mode: "call" }, admin.token);
    expect(called.status).toBe(403);
    expect(called.body.detail).toMatch(/PLUGIN_ALLOW_EXECUTE_EVENT/);
  } finally {
    tab.close();
  }
});

const sluice = useServer({ kind: "sqlite", env: { ENABLE_TITLE_GENERATION: "false" } });
