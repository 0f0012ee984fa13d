import { expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { connectSocket } from "./helpers/connect-socket.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { useServer } from "./helpers/use-server.ts";

/** A pipe that reports what it does with events whose effects are saved on the message. */
const reportingPipe = `import { definePipe } from "@sluice/sdk";
export default definePipe({
  async pipe(body, ctx) {
    await ctx.emit({ type: "status", data: { description: "Searching the manual", done: true } });
    await ctx.emit({ type: "citation", data: { source: { name: "Manual" }, document: ["page 1"], metadata: [{ source: "manual" }] } });
    await ctx.emit({ type: "files", data: { files: [{ type: "image", url: "/api/v1/files/chart/content", name: "chart" }] } });
    return "Found it";
  },
});
`;

describeEachDatabase("events of API callers", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let user: TestAccount;

  const storedMessage = async (chatId: string, messageId: string) => {
    const chat = await sluice.api.get(`/api/v1/chats/${chatId}`, user.token);
    return chat.body.chat.messages.find((message: { id: string }) => message.id === messageId);
  };

  it("sets up accounts and a reporting pipe", async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
    const created = await sluice.api.post(
      "/api/v1/functions/create",
      { id: "reporter", name: "Reporter", content: reportingPipe },
      admin.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await sluice.api.post("/api/v1/functions/id/reporter/toggle", undefined, admin.token);
  });

  it("saves the effects of events on the chat message an API caller names, sending nothing live", async () => {
    const tab = await connectSocket(sluice.url, user.token);
    try {
      const chat = await sluice.api.post(
        "/api/v1/chats/new",
        { chat: { title: "Scripted", messages: [{ id: "u1", role: "user", content: "find it" }] } },
        user.token,
      );
      const chatId = chat.body.id as string;
      const answer = await sluice.api.post(
        "/api/chat/completions",
        { model: "reporter", messages: [{ id: "u1", role: "user", content: "find it" }], chat_id: chatId, id: "a1" },
        user.token,
      );
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.choices[0].message.content).toBe("Found it");
      const stored = await storedMessage(chatId, "a1");
      expect(stored).toMatchObject({ role: "assistant", content: "Found it" });
      expect(stored.statusHistory).toEqual([expect.objectContaining({ description: "Searching the manual", done: true })]);
      expect(stored.sources).toEqual([expect.objectContaining({ source: { name: "Manual" } })]);
      expect(stored.files).toEqual([expect.objectContaining({ url: "/api/v1/files/chart/content", name: "chart" })]);
      // Title generation may tell the tabs about the new title; the pipe's events go nowhere live.
      expect(tab.received.filter((envelope) => envelope.data.type !== "chat:title")).toEqual([]);
    } finally {
      tab.close();
    }
  });

  it("still answers an API caller that names no chat, saving nothing", async () => {
    const answer = await sluice.api.post(
      "/api/chat/completions",
      { model: "reporter", messages: [{ role: "user", content: "find it" }] },
      user.token,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.choices[0].message.content).toBe("Found it");
  });
});
