import { expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { connectSocket } from "./helpers/connect-socket.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { useServer } from "./helpers/use-server.ts";

describeEachDatabase("events from outside on a chat message", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let alice: TestAccount;
  let bob: TestAccount;
  let chatId: string;

  const eventPath = (messageId: string, chat = chatId) => `/api/v1/chats/${chat}/messages/${messageId}/event`;

  async function storedMessage(messageId: string) {
    const chat = await sluice.api.get(`/api/v1/chats/${chatId}`, alice.token);
    return chat.body.chat.messages.find((message: { id: string }) => message.id === messageId);
  }

  it("sets up accounts and a chat with an answer", async () => {
    admin = await signUpAdmin(sluice.url);
    alice = await signUpUser(sluice.url, admin);
    bob = await signUpUser(sluice.url, admin);
    const chat = await sluice.api.post(
      "/api/v1/chats/new",
      {
        chat: {
          title: "Research",
          messages: [
            { id: "u1", role: "user", content: "look it up" },
            { id: "a1", parentId: "u1", role: "assistant", content: "Looking…" },
          ],
        },
      },
      alice.token,
    );
    expect(chat.status).toBe(200);
    chatId = chat.body.id;
  });

  it("saves a status line, a source and a file on the message and shows them live in the owner's tabs", async () => {
    const tab = await connectSocket(sluice.url, alice.token);
    try {
      const status = await sluice.api.post(
        eventPath("a1"),
        { type: "status", data: { description: "Searching the web", done: false } },
        alice.token,
      );
      expect(status.status, JSON.stringify(status.body)).toBe(200);
      expect(status.body).toBe(true);
      const live = await tab.next((envelope) => envelope.data.type === "status");
      expect(live).toEqual({
        chat_id: chatId,
        message_id: "a1",
        data: { type: "status", data: { description: "Searching the web", done: false } },
      });

      const source = {
        source: { name: "Encyclopaedia", url: "https://example.org/article" },
        document: ["an excerpt"],
        metadata: [{ source: "https://example.org/article" }],
      };
      expect((await sluice.api.post(eventPath("a1"), { type: "source", data: source }, alice.token)).status).toBe(200);
      const files = { files: [{ type: "file", id: "report-1", name: "report.pdf" }] };
      expect((await sluice.api.post(eventPath("a1"), { type: "files", data: files }, alice.token)).status).toBe(200);
      await tab.next((envelope) => envelope.data.type === "files");

      const stored = await storedMessage("a1");
      expect(stored).toMatchObject({ role: "assistant", content: "Looking…" });
      expect(stored.statusHistory).toEqual([{ description: "Searching the web", done: false }]);
      expect(stored.sources).toEqual([source]);
      expect(stored.files).toEqual(files.files);
    } finally {
      tab.close();
    }
  });

  it("answers 404 to anyone but the chat's owner, admins included, and changes nothing", async () => {
    const aliceTab = await connectSocket(sluice.url, alice.token);
    try {
      const before = await storedMessage("a1");
      for (const account of [bob, admin]) {
        const response = await sluice.api.post(eventPath("a1"), { type: "status", data: { description: "intruder" } }, account.token);
        expect(response.status).toBe(404);
        expect(response.body.detail).toMatch(/Chat not found/);
      }
      const unknown = await sluice.api.post(
        eventPath("a1", "00000000-0000-4000-8000-000000000000"),
        { type: "status", data: { description: "x" } },
        alice.token,
      );
      expect(unknown.status).toBe(404);
      expect(await storedMessage("a1")).toEqual(before);
      // Nothing reached alice's tabs either.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(aliceTab.received).toEqual([]);
    } finally {
      aliceTab.close();
    }
  });

  it("refuses a malformed event with 400, saving nothing", async () => {
    const before = await storedMessage("a1");
    for (const body of [
      {},
      { data: { description: "no type" } },
      { type: "status" },
      { type: "status", data: "not an object" },
      { type: "status", data: [1, 2] },
      { type: "files", data: { files: "report.pdf" } },
      { type: "confirmation", data: { title: "Sure?", message: "Really?" } },
    ]) {
      const response = await sluice.api.post(eventPath("a1"), body, alice.token);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(typeof response.body.detail).toBe("string");
    }
    const execute = await sluice.api.post(eventPath("a1"), { type: "execute", data: { code: "alert(1)" } }, alice.token);
    expect(execute.status).toBe(403);
    expect(await storedMessage("a1")).toEqual(before);
  });

  it("creates the message when it is not stored yet, as a plugin's event would", async () => {
    const response = await sluice.api.post(
      eventPath("a2"),
      { type: "status", data: { description: "Started elsewhere", done: true } },
      alice.token,
    );
    expect(response.status).toBe(200);
    expect(await storedMessage("a2")).toMatchObject({
      role: "assistant",
      statusHistory: [{ description: "Started elsewhere", done: true }],
    });
  });
});
