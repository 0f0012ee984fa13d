import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { useServer } from "./helpers/use-server.ts";
import { PLUGIN_TIERS, installFunction } from "./helpers/install-function.ts";

// Issue 11, point 3: `ctx.files.read` and `ctx.files.create` over the service channel, in the
// isolated tier and the trusted tier (`permissions: node`), with the file store's rules on who
// may read what and its size cap (FILE_MAX_SIZE_MB).

const TIERS = PLUGIN_TIERS;

const MIB = 1024 * 1024;

/** A pipe that runs the file command in the last message and answers its result as JSON. */
const filesPipe = (frontmatter: string) => `/**
 * title: File console
${frontmatter} */
import { definePipe } from "@sluice/sdk";
export default definePipe({
  async pipe(body, ctx) {
    // The command is the last line: attached files come before it, as the model would get them.
    const content = body.messages.at(-1).content;
    const command = JSON.parse(content.split("\\n").at(-1));
    switch (command.op) {
      case "read": {
        const file = await ctx.files.read(command.id);
        const bytes = await file.bytes();
        let sum = 0;
        for (const byte of bytes) sum = (sum * 31 + byte) >>> 0;
        return JSON.stringify({ id: file.id, name: file.name, contentType: file.contentType, size: file.size, length: bytes.length, sum, text: command.text ? await file.text() : undefined });
      }
      case "create-text":
        return JSON.stringify(await ctx.files.create({ name: command.name, contentType: command.contentType, data: command.text }));
      case "create-big-text":
        return JSON.stringify(await ctx.files.create({ name: command.name, data: "é".repeat(command.characters) }));
      case "create-bytes": {
        const data = new Uint8Array(command.length);
        for (let index = 0; index < data.length; index++) data[index] = (index * 7) & 255;
        return JSON.stringify(await ctx.files.create({ name: command.name, contentType: "application/octet-stream", data }));
      }
      case "list":
        return JSON.stringify({ files: ctx.files, isArray: Array.isArray(ctx.files), spread: [...ctx.files].length, content });
    }
  },
});
`;

/** The checksum the pipe computes, for the same bytes. */
function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const byte of bytes) sum = (sum * 31 + byte) >>> 0;
  return sum;
}

describeEachDatabase("ctx.files over HTTP", (kind) => {
  let fake: FakeUpstream;
  const env: Record<string, string> = { FILE_MAX_SIZE_MB: "14" };
  beforeAll(async () => {
    fake = await startFakeUpstream();
    env.OPENAI_API_BASE_URL = fake.baseUrl;
  });
  afterAll(() => fake?.close());
  const sluice = useServer({ kind, env });
  let admin: TestAccount;
  let ada: TestAccount;
  let bob: TestAccount;

  beforeAll(async () => {
    admin = await signUpAdmin(sluice.url);
    ada = await signUpUser(sluice.url, admin);
    bob = await signUpUser(sluice.url, admin);
  });

  const install = (id: string, content: string, isTrusted: boolean) =>
    installFunction(sluice.api, admin.token, id, content, { approve: isTrusted });

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

  async function download(account: TestAccount, id: string) {
    const response = await fetch(`${sluice.url}/api/v1/files/${id}/content`, { headers: { authorization: `Bearer ${account.token}` } });
    return { status: response.status, type: response.headers.get("content-type"), bytes: new Uint8Array(await response.arrayBuffer()) };
  }

  const say = (account: TestAccount, model: string, command: unknown, files?: unknown[]) =>
    sluice.api.request("POST", "/api/chat/completions", {
      token: account.token,
      body: { model, messages: [{ role: "user", content: JSON.stringify(command) }], ...(files ? { files } : {}) },
    });

  const answerOf = (response: { status: number; body: any }) => {
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return JSON.parse(response.body.choices[0].message.content as string);
  };

  for (const { tier, frontmatter } of TIERS) {
    const isTrusted = tier === "trusted";
    const model = `files_${tier}`;

    it(`reads the user's own file, bytes intact across several chunks (${tier} tier)`, async () => {
      await install(model, filesPipe(frontmatter), isTrusted);
      const bytes = new Uint8Array([...Array.from({ length: 256 }, (_, index) => index), ...randomBytes(5 * MIB)]);
      const id = await upload(ada, bytes, "data.bin", "application/octet-stream");
      expect(answerOf(await say(ada, model, { op: "read", id }))).toEqual({
        id,
        name: "data.bin",
        contentType: "application/octet-stream",
        size: bytes.length,
        length: bytes.length,
        sum: checksum(bytes),
      });
      const textId = await upload(ada, new TextEncoder().encode("Grüße, Ada"), "hello.txt", "text/plain");
      expect(answerOf(await say(ada, model, { op: "read", id: textId, text: true }))).toMatchObject({ text: "Grüße, Ada", size: 12 });
    });

    it(`keeps other users' files from a plugin: not found, whoever's plugin asks (${tier} tier)`, async () => {
      const id = await upload(ada, new TextEncoder().encode("private"), "ada.txt", "text/plain");
      expectError(await say(bob, model, { op: "read", id }), 404, `File not found: ${id}`);
      // Naming it among the request's files does not help: the request is refused before any plugin runs.
      expectError(await say(bob, model, { op: "read", id }, [{ type: "file", id }]), 404, `File not found: ${id}`);
      // An admin's plugin call sees only the admin's own files and the request's.
      expectError(await say(admin, model, { op: "read", id }), 404, "File not found");
      expectError(await say(ada, model, { op: "read", id: "not-an-id" }), 404, "File not found: not-an-id");
    });

    it(`creates files owned by the user, downloadable by them only (${tier} tier)`, async () => {
      const text = answerOf(await say(ada, model, { op: "create-text", name: "poem.md", contentType: "text/markdown", text: "# Ode" }));
      expect(text).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: "poem.md", url: `/api/v1/files/${text.id}/content` });
      const poem = await download(ada, text.id);
      expect(poem.status).toBe(200);
      expect(poem.type).toMatch(/^text\/markdown/);
      expect(new TextDecoder().decode(poem.bytes)).toBe("# Ode");
      expect((await download(bob, text.id)).status).toBe(404);
      const listed = await sluice.api.get("/api/v1/files/", ada.token);
      expect(listed.body.map((file: { id: string }) => file.id)).toContain(text.id);

      const binary = answerOf(await say(ada, model, { op: "create-bytes", name: "pattern.bin", length: 3 * MIB + 1 }));
      const pattern = await download(ada, binary.id);
      expect(pattern.bytes.length).toBe(3 * MIB + 1);
      expect(pattern.bytes.every((byte, index) => byte === ((index * 7) & 255))).toBe(true);
      // And the plugin reads back what it made.
      expect(answerOf(await say(ada, model, { op: "read", id: binary.id }))).toMatchObject({
        size: 3 * MIB + 1,
        sum: checksum(pattern.bytes),
      });
    });

    it(`stores a file larger than one message of the service channel, in pieces (${tier} tier)`, async () => {
      const big = answerOf(await say(ada, model, { op: "create-bytes", name: "big.bin", length: 13 * MIB + 5 }));
      const stored = await download(ada, big.id);
      expect(stored.bytes.length).toBe(13 * MIB + 5);
      expect(stored.bytes.every((byte, index) => byte === ((index * 7) & 255))).toBe(true);
      const text = answerOf(await say(ada, model, { op: "create-big-text", name: "long.txt", characters: 5 * MIB }));
      const long = await download(ada, text.id);
      expect(long.type).toMatch(/^text\/plain/);
      expect(long.bytes.length).toBe(10 * MIB);
      expect(new TextDecoder().decode(long.bytes.subarray(0, 4))).toBe("éé");
    });

    it(`refuses a file past FILE_MAX_SIZE_MB with 413, storing nothing (${tier} tier)`, async () => {
      const before = (await sluice.api.get("/api/v1/files/", ada.token)).body.length;
      const storedBefore = await fs.readdir(path.join(sluice.server.dataDir, "uploads"));
      expectError(await say(ada, model, { op: "create-bytes", name: "big.bin", length: 14 * MIB + 1 }), 413, "FILE_MAX_SIZE_MB");
      expect(await fs.readdir(path.join(sluice.server.dataDir, "uploads"))).toEqual(storedBefore);
      expectError(await say(ada, model, { op: "create-text", name: "", text: "x" }), 400, "needs a name");
      expect((await sluice.api.get("/api/v1/files/", ada.token)).body.length).toBe(before);
    });

    it(`keeps ctx.files the request's list, as before (${tier} tier)`, async () => {
      const id = await upload(ada, new TextEncoder().encode("notes"), "notes.txt", "text/plain");
      const answer = answerOf(await say(ada, model, { op: "list" }, [{ type: "file", id, name: "notes.txt" }]));
      expect(answer).toEqual({
        files: [{ type: "file", id, name: "notes.txt" }],
        isArray: true,
        spread: 1,
        // A pipe is the model: it gets the attached file's text too.
        content: '<attached_files>\n<file name="notes.txt" type="text/plain">\nnotes\n</file>\n</attached_files>\n\n{"op":"list"}',
      });
    });
  }
});
