import { describe, expect, it } from "vitest";
import { attachFiles, MAX_ATTACHED_TEXT_CHARACTERS, openAttachments } from "./attach-files.ts";
import { startChatTurn } from "./start-chat-turn.ts";
import { ADA, functionRecord, InMemoryWorld, readAnswer, textChunks } from "./testing/in-memory-ports.ts";

const NOTES = "0b8f7c5e-1111-4a4a-9a9a-000000000001";
const PHOTO = "0b8f7c5e-1111-4a4a-9a9a-000000000002";
const ARCHIVE = "0b8f7c5e-1111-4a4a-9a9a-000000000003";
const REPORT = "0b8f7c5e-1111-4a4a-9a9a-000000000004";
const BOBS = "0b8f7c5e-1111-4a4a-9a9a-000000000005";

function worldWithFiles(): InMemoryWorld {
  const world = new InMemoryWorld();
  world.addFile(NOTES, { name: "notes.txt", contentType: "text/plain", data: "Buy milk" });
  world.addFile(PHOTO, { name: "cat.png", contentType: "image/png", data: new Uint8Array([137, 80, 78, 71]) });
  world.addFile(ARCHIVE, { name: "a.zip", contentType: "application/zip", data: new Uint8Array([80, 75, 3, 4]) });
  world.addFile(REPORT, { name: 'Q3 "final".pdf', contentType: "application/pdf", data: new Uint8Array([37, 80]), text: "Revenue grew" });
  world.addFile(BOBS, { userId: "bob", name: "bob.txt", contentType: "text/plain", data: "Bob's secret" });
  return world;
}

const user = (content: unknown) => ({ role: "user", content });

describe("openAttachments", () => {
  it("opens the files of `files` and of image parts that point at stored files, once each", async () => {
    const world = worldWithFiles();
    const attachments = await openAttachments(
      world.ports.files,
      ADA,
      {
        files: [
          { type: "file", id: NOTES },
          { type: "file", id: NOTES },
          { type: "web", url: "https://example.com" },
        ],
        messages: [
          user([
            { type: "text", text: "look" },
            { type: "image_url", image_url: { url: `/api/v1/files/${PHOTO}/content` } },
            { type: "image_url", image_url: { url: "https://example.com/dog.png" } },
            { type: "image_url", image_url: { url: `https://chat.example.com/api/v1/files/${PHOTO}/content` } },
          ]),
        ] as never,
      },
      "https://chat.example.com",
    );
    expect(attachments.files.map((file) => file.name)).toEqual(["notes.txt"]);
    expect([...attachments.images.keys()]).toEqual([
      `/api/v1/files/${PHOTO}/content`,
      `https://chat.example.com/api/v1/files/${PHOTO}/content`,
    ]);
  });

  it("refuses a file the user may not read, naming it, and one that does not exist", async () => {
    const world = worldWithFiles();
    await expect(openAttachments(world.ports.files, ADA, { files: [{ type: "file", id: BOBS }], messages: [] })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: `File not found: ${BOBS}`,
    });
    const image = user([{ type: "image_url", image_url: { url: `/api/v1/files/${BOBS}/content` } }]);
    await expect(openAttachments(world.ports.files, ADA, { messages: [image] as never })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses attached files clearly on a server without a file store, and takes requests without any", async () => {
    await expect(openAttachments(undefined, ADA, { files: [{ type: "file", id: NOTES }], messages: [] })).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    expect((await openAttachments(undefined, ADA, { messages: [user("hi")] as never })).files).toEqual([]);
  });
});

describe("attachFiles", () => {
  it("puts text and PDFs in a context block before the question, images as image parts, other files as a mention", async () => {
    const world = worldWithFiles();
    const files = [NOTES, PHOTO, ARCHIVE, REPORT].map((id) => ({ type: "file", id }));
    const attachments = await openAttachments(world.ports.files, ADA, { files, messages: [] });
    const body = {
      model: "m",
      messages: [{ role: "system", content: "Be brief." }, user("Summarise"), { role: "assistant", content: "…" }, user("And now?")],
    };
    const attached = await attachFiles(body, attachments, { handlesFiles: false });
    expect(attached.messages.slice(0, 3)).toEqual(body.messages.slice(0, 3));
    expect(attached.messages[3]).toEqual({
      role: "user",
      content: [
        {
          type: "text",
          text:
            "<attached_files>\n" +
            '<file name="notes.txt" type="text/plain">\nBuy milk\n</file>\n' +
            '<file name="a.zip" type="application/zip" size="4">(binary content, not shown)</file>\n' +
            '<file name="Q3 &quot;final&quot;.pdf" type="application/pdf">\nRevenue grew\n</file>\n' +
            "</attached_files>",
        },
        { type: "text", text: "And now?" },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw==" } },
      ],
    });
    // The body it was given is left as it was.
    expect(body.messages[3]).toEqual(user("And now?"));
  });

  it("keeps a text question a string when only text was added", async () => {
    const world = worldWithFiles();
    const attachments = await openAttachments(world.ports.files, ADA, { files: [{ id: NOTES }], messages: [] });
    const attached = await attachFiles({ messages: [user("What should I buy?")] }, attachments, { handlesFiles: false });
    expect(attached.messages).toEqual([
      user('<attached_files>\n<file name="notes.txt" type="text/plain">\nBuy milk\n</file>\n</attached_files>\n\nWhat should I buy?'),
    ]);
  });

  it("leaves the files to a filter that handles them, but still inlines image parts of stored files", async () => {
    const world = worldWithFiles();
    const url = `/api/v1/files/${PHOTO}/content`;
    const messages = [
      user([
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url, detail: "low" } },
      ]),
    ];
    const attachments = await openAttachments(world.ports.files, ADA, {
      files: [{ type: "file", id: NOTES }],
      messages: messages as never,
    });
    const attached = await attachFiles({ messages }, attachments, { handlesFiles: true });
    expect(attached.messages).toEqual([
      user([
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw==", detail: "low" } },
      ]),
    ]);
  });

  it(`adds at most ${MAX_ATTACHED_TEXT_CHARACTERS} characters of file text, saying what was left out`, async () => {
    const world = worldWithFiles();
    world.addFile("0b8f7c5e-1111-4a4a-9a9a-000000000010", {
      name: "big.txt",
      contentType: "text/plain",
      data: "a".repeat(MAX_ATTACHED_TEXT_CHARACTERS + 10),
    });
    world.addFile("0b8f7c5e-1111-4a4a-9a9a-000000000011", { name: "more.txt", contentType: "text/plain", data: "bbb" });
    const attachments = await openAttachments(world.ports.files, ADA, {
      files: [{ id: "0b8f7c5e-1111-4a4a-9a9a-000000000010" }, { id: "0b8f7c5e-1111-4a4a-9a9a-000000000011" }],
      messages: [],
    });
    const { messages } = await attachFiles({ messages: [user("?")] }, attachments, { handlesFiles: false });
    const text = (messages[0] as { content: string }).content;
    expect(text.match(/a{1000,}/)![0].length).toBe(MAX_ATTACHED_TEXT_CHARACTERS);
    expect(text).toContain("[… the rest of this file was left out]");
    expect(text).toContain('<file name="more.txt" type="text/plain">\n[… the rest of this file was left out]\n</file>');
  });
});

describe("a chat turn with attached files", () => {
  const turnWith = async (world: InMemoryWorld, files: unknown[]) => {
    world.addUpstreamModel("vision", textChunks("seen"));
    const turn = await startChatTurn(world.ports, {
      user: ADA,
      request: { model: "vision", messages: [{ role: "user", content: "Describe" }], files },
      signal: new AbortController().signal,
    });
    return readAnswer(turn.chunks);
  };

  it("sends the files to the model after the inlet chain, which sees them as references", async () => {
    const world = worldWithFiles();
    world.addFunction(functionRecord("watcher", "filter"), { hooks: { inlet: (body) => body } });
    await turnWith(world, [
      { type: "file", id: NOTES },
      { type: "file", id: PHOTO },
    ]);
    const inlet = world.calls.find((call) => call.hook === "inlet")!;
    expect(inlet.payload).toMatchObject({ messages: [{ role: "user", content: "Describe" }] });
    expect(inlet.metadata.files).toEqual([
      { type: "file", id: NOTES },
      { type: "file", id: PHOTO },
    ]);
    expect(world.upstreamBodies[0]!.messages).toEqual([
      user([
        { type: "text", text: '<attached_files>\n<file name="notes.txt" type="text/plain">\nBuy milk\n</file>\n</attached_files>' },
        { type: "text", text: "Describe" },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw==" } },
      ]),
    ]);
  });

  it("leaves them to a filter that declares fileHandler", async () => {
    const world = worldWithFiles();
    world.addFunction(functionRecord("reader", "filter"), {
      descriptor: { fileHandler: true },
      hooks: {
        inlet: (body) => {
          const typed = body as { messages: Array<{ content: string }> };
          typed.messages[0]!.content += " (files read by the filter)";
          return typed;
        },
      },
    });
    await turnWith(world, [{ type: "file", id: NOTES }]);
    expect(world.upstreamBodies[0]!.messages).toEqual([user("Describe (files read by the filter)")]);
  });

  it("refuses a file the user may not read before any plugin runs", async () => {
    const world = worldWithFiles();
    world.addFunction(functionRecord("watcher", "filter"), { hooks: { inlet: (body) => body } });
    await expect(turnWith(world, [{ type: "file", id: BOBS }])).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(world.calls).toEqual([]);
    expect(world.upstreamBodies).toEqual([]);
  });
});
