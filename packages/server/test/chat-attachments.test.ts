import { afterAll, beforeAll, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { makePdf } from "./helpers/make-pdf.ts";
import { useServer } from "./helpers/use-server.ts";

// Issue 11, point 3: chat requests attach stored files (`files: [{type: "file", id}]`, image
// parts pointing at `/api/v1/files/{id}/content`); images reach the model as image parts (data
// URLs), text-like files and PDFs as extracted text in a context block, unless a filter declares
// `fileHandler: true`. Only files the user may read.

const PNG = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13]);

/** A filter that handles files itself: it reads each attached file and says how big it is. */
const fileHandlerFilter = (frontmatter: string) => `/**
 * title: File sizes
${frontmatter} */
import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  fileHandler: true,
  async inlet(body, ctx) {
    const sizes = [];
    for (const reference of ctx.files) {
      const file = await ctx.files.read(reference.id);
      sizes.push(file.name + ": " + (await file.bytes()).length + " bytes");
    }
    const last = body.messages.at(-1);
    return { ...body, messages: [...body.messages.slice(0, -1), { ...last, content: last.content + " [" + sizes.join(", ") + "]" }] };
  },
});
`;

describeEachDatabase("attached files in chat requests", (kind) => {
  let fake: FakeUpstream;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind, env });
  let admin: TestAccount;
  let ada: TestAccount;
  let bob: TestAccount;
  const ids: Record<string, string> = {};

  async function upload(account: TestAccount, bytes: Uint8Array, name: string, type: string): Promise<string> {
    const form = new FormData();
    form.append("file", new Blob([bytes], { type }), name);
    const response = await fetch(`${sluice.url}/api/v1/files/`, {
      method: "POST",
      headers: { authorization: `Bearer ${account.token}` },
      body: form,
    });
    const body = (await response.json()) as { id: string };
    expect(response.status, JSON.stringify(body)).toBe(200);
    return body.id;
  }

  beforeAll(async () => {
    admin = await signUpAdmin(sluice.url);
    ada = await signUpUser(sluice.url, admin);
    bob = await signUpUser(sluice.url, admin);
    ids.photo = await upload(ada, PNG, "cat.png", "image/png");
    ids.notes = await upload(ada, new TextEncoder().encode("Buy milk"), "notes.md", "text/markdown");
    ids.report = await upload(ada, makePdf(["Quarterly report", "Revenue grew 12 percent"]), "report.pdf", "application/pdf");
    ids.archive = await upload(ada, new Uint8Array([80, 75, 3, 4]), "code.zip", "application/zip");
    ids.broken = await upload(ada, new TextEncoder().encode("%PDF-1.4 nothing else"), "broken.pdf", "application/pdf");
    ids.bobs = await upload(bob, new TextEncoder().encode("Bob's diary"), "diary.txt", "text/plain");
  });

  const ask = (account: TestAccount, content: unknown, extra: Record<string, unknown> = {}) =>
    sluice.api.request("POST", "/api/chat/completions", {
      token: account.token,
      body: { model: "fake-small", messages: [{ role: "user", content }], ...extra },
    });

  const lastUpstreamMessages = () => fake.chatBodies().at(-1)!.messages as Array<{ role: string; content: unknown }>;
  const dataUrl = (bytes: Uint8Array, type: string) => `data:${type};base64,${Buffer.from(bytes).toString("base64")}`;

  it("sends images as image parts and text, PDFs and other files in a context block before the question", async () => {
    const files = ["photo", "notes", "report", "archive"].map((name) => ({ type: "file", id: ids[name] }));
    const answer = await ask(ada, "What is in these?", { files });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(lastUpstreamMessages()).toEqual([
      {
        role: "user",
        content: [
          {
            type: "text",
            text:
              "<attached_files>\n" +
              '<file name="notes.md" type="text/markdown">\nBuy milk\n</file>\n' +
              '<file name="report.pdf" type="application/pdf">\nQuarterly report\nRevenue grew 12 percent\n</file>\n' +
              '<file name="code.zip" type="application/zip" size="4">(binary content, not shown)</file>\n' +
              "</attached_files>",
          },
          { type: "text", text: "What is in these?" },
          { type: "image_url", image_url: { url: dataUrl(PNG, "image/png") } },
        ],
      },
    ]);
  });

  it("turns image parts that point at a stored file into data URLs, and leaves other URLs alone", async () => {
    const content = [
      { type: "text", text: "Compare" },
      { type: "image_url", image_url: { url: `/api/v1/files/${ids.photo}/content`, detail: "low" } },
      { type: "image_url", image_url: { url: "https://example.com/dog.png" } },
    ];
    const answer = await ask(ada, content);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(lastUpstreamMessages()[0]!.content).toEqual([
      { type: "text", text: "Compare" },
      { type: "image_url", image_url: { url: dataUrl(PNG, "image/png"), detail: "low" } },
      { type: "image_url", image_url: { url: "https://example.com/dog.png" } },
    ]);
  });

  it("refuses a file the user may not read (404 naming it), before the model is called", async () => {
    const before = fake.chatBodies().length;
    expectError(await ask(ada, "Read this", { files: [{ type: "file", id: ids.bobs }] }), 404, `File not found: ${ids.bobs}`);
    const image = [{ type: "image_url", image_url: { url: `/api/v1/files/${ids.bobs}/content` } }];
    expectError(await ask(ada, image), 404, `File not found: ${ids.bobs}`);
    expectError(await ask(ada, "x", { files: [{ type: "file", id: "00000000-0000-4000-8000-000000000000" }] }), 404, "File not found");
    expect(fake.chatBodies().length).toBe(before);
  });

  it("says which PDF cannot be read (400), without calling the model", async () => {
    const before = fake.chatBodies().length;
    expectError(
      await ask(ada, "Summarise", { files: [{ type: "file", id: ids.broken }] }),
      400,
      'Cannot read the text of the attached PDF "broken.pdf"',
    );
    expect(fake.chatBodies().length).toBe(before);
  });

  for (const { tier, frontmatter } of [
    { tier: "isolated", frontmatter: "" },
    { tier: "trusted", frontmatter: " * permissions: node\n" },
  ]) {
    it(`leaves the files to a filter that declares fileHandler, which reads them with ctx.files (${tier} tier)`, async () => {
      const id = `file_sizes_${tier}`;
      const created = await sluice.api.post(
        "/api/v1/functions/create",
        { id, name: id, content: fileHandlerFilter(frontmatter) },
        admin.token,
      );
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      if (frontmatter) expect((await sluice.api.post(`/api/v1/functions/id/${id}/permissions/approve`, {}, admin.token)).status).toBe(200);
      await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token);
      await sluice.api.post(`/api/v1/functions/id/${id}/toggle/global`, undefined, admin.token);
      try {
        const answer = await ask(ada, "Sizes?", {
          files: [
            { type: "file", id: ids.notes },
            { type: "file", id: ids.photo },
          ],
        });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        expect(lastUpstreamMessages()).toEqual([{ role: "user", content: `Sizes? [notes.md: 8 bytes, cat.png: ${PNG.length} bytes]` }]);
      } finally {
        await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token);
      }
    });
  }
});
