import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { useServer } from "./helpers/use-server.ts";

const MIB = 1024 * 1024;

describeEachDatabase("file store", (kind) => {
  const sluice = useServer({ kind, env: { FILE_MAX_SIZE_MB: "1" } });
  let admin: TestAccount;
  let alice: TestAccount;
  let bob: TestAccount;

  async function upload(account: TestAccount, bytes: Uint8Array, name: string, type: string, field = "file") {
    const form = new FormData();
    form.append(field, new Blob([bytes], { type }), name);
    const response = await fetch(`${sluice.url}/api/v1/files/`, {
      method: "POST",
      headers: { authorization: `Bearer ${account.token}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  async function download(account: TestAccount, id: string, query = "") {
    const response = await fetch(`${sluice.url}/api/v1/files/${id}/content${query}`, {
      headers: { authorization: `Bearer ${account.token}` },
    });
    return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
  }

  /** What the storage folder holds, temporary files included. */
  async function storedNames(): Promise<string[]> {
    return fs.readdir(path.join(sluice.server.dataDir, "uploads")).catch(() => []);
  }

  it("sets up an admin and two users", async () => {
    admin = await signUpAdmin(sluice.url);
    alice = await signUpUser(sluice.url, admin);
    bob = await signUpUser(sluice.url, admin);
  });

  it("stores an upload and gives back the same bytes, as a download", async () => {
    const bytes = new Uint8Array([...Array.from({ length: 256 }, (_, index) => index), ...randomBytes(70_000)]);
    const uploaded = await upload(alice, bytes, "data.bin", "application/octet-stream");
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
    expect(uploaded.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: alice.id,
      filename: "data.bin",
      meta: { name: "data.bin", content_type: "application/octet-stream", size: bytes.length },
      created_at: expect.any(Number),
    });

    const content = await download(alice, uploaded.body.id);
    expect(content.status).toBe(200);
    expect(Buffer.from(content.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(content.headers.get("content-type")).toBe("application/octet-stream");
    expect(content.headers.get("content-disposition")).toBe(`attachment; filename="data.bin"; filename*=UTF-8''data.bin`);
    expect(content.headers.get("x-content-type-options")).toBe("nosniff");

    const metadata = await sluice.api.get(`/api/v1/files/${uploaded.body.id}`, alice.token);
    expect(metadata.body).toEqual(uploaded.body);
  });

  it("shows a picture in the page, under its own name, however it is spelt", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const uploaded = await upload(alice, png, 'carte "été".png', "image/png");
    expect(uploaded.status).toBe(200);
    expect(uploaded.body.filename).toBe('carte "été".png');
    const content = await download(alice, uploaded.body.id);
    expect(content.headers.get("content-type")).toBe("image/png");
    const disposition = content.headers.get("content-disposition")!;
    expect(disposition).toBe(`inline; filename="carte __t__.png"; filename*=UTF-8''${encodeURIComponent('carte "été".png')}`);
    // `?attachment=true` asks for a download, as Open WebUI's client does.
    expect((await download(alice, uploaded.body.id, "?attachment=true")).headers.get("content-disposition")).toMatch(/^attachment;/);
  });

  it("never serves an uploaded page or SVG so that it could run in Sluice's origin", async () => {
    for (const [name, type] of [
      ["page.html", "text/html"],
      ["drawing.svg", "image/svg+xml"],
    ]) {
      const uploaded = await upload(alice, new TextEncoder().encode("<script>alert(document.cookie)</script>"), name, type);
      const content = await download(alice, uploaded.body.id);
      expect(content.headers.get("content-type")).toBe(type);
      expect(content.headers.get("content-disposition")).toMatch(/^attachment;/);
      expect(content.headers.get("x-content-type-options")).toBe("nosniff");
      expect(content.headers.get("content-security-policy")).toMatch(/^sandbox/);
    }
  });

  it("lists each user's own files, and every file to an admin", async () => {
    const bobs = await upload(bob, new TextEncoder().encode("bob's notes"), "notes.txt", "text/plain");
    const alices = (await sluice.api.get("/api/v1/files/", alice.token)).body as Array<{ id: string; user_id: string }>;
    expect(alices.length).toBeGreaterThanOrEqual(3);
    expect(alices.every((file) => file.user_id === alice.id)).toBe(true);
    expect((await sluice.api.get("/api/v1/files/", bob.token)).body.map((file: { id: string }) => file.id)).toEqual([bobs.body.id]);
    const everyone = (await sluice.api.get("/api/v1/files/", admin.token)).body.map((file: { id: string }) => file.id);
    expect(everyone).toEqual(expect.arrayContaining([bobs.body.id, ...alices.map((file) => file.id)]));
    const adminView = await download(admin, bobs.body.id);
    expect(new TextDecoder().decode(adminView.bytes)).toBe("bob's notes");
  });

  it("answers 404 for another user's file, and for ids that do not exist", async () => {
    const secret = await upload(alice, new TextEncoder().encode("secret"), "secret.txt", "text/plain");
    const id = secret.body.id as string;
    for (const response of [
      await sluice.api.get(`/api/v1/files/${id}`, bob.token),
      await sluice.api.get(`/api/v1/files/${id}/content`, bob.token),
      await sluice.api.delete(`/api/v1/files/${id}`, bob.token),
      await sluice.api.get("/api/v1/files/00000000-0000-4000-8000-000000000000", alice.token),
      await sluice.api.get("/api/v1/files/not-an-id/content", alice.token),
      await sluice.api.delete("/api/v1/files/..%2F..%2Fsluice.db", alice.token),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body.detail).toMatch(/not found/i);
    }
    expect((await download(alice, id)).status).toBe(200);
  });

  it("lets a chat's owner read an admin's file listed in the chat, never another user's", async () => {
    const report = await upload(admin, new TextEncoder().encode("quarterly report"), "report.txt", "text/plain");
    const private_ = await upload(alice, new TextEncoder().encode("alice's diary"), "diary.txt", "text/plain");
    const chat = await sluice.api.post(
      "/api/v1/chats/new",
      {
        chat: {
          title: "Reports",
          messages: [
            { id: "a1", role: "assistant", content: "Here", files: [{ type: "file", id: report.body.id }] },
            { id: "u2", role: "user", content: "and this?", files: [{ type: "file", id: private_.body.id }] },
          ],
        },
      },
      bob.token,
    );
    expect(chat.status).toBe(200);
    expect(new TextDecoder().decode((await download(bob, report.body.id)).bytes)).toBe("quarterly report");
    // Naming alice's file in bob's own chat grants bob nothing.
    expect((await download(bob, private_.body.id)).status).toBe(404);
    expect((await sluice.api.get(`/api/v1/files/${private_.body.id}`, bob.token)).status).toBe(404);
    // Reading is not owning: bob cannot delete the admin's file.
    expect((await sluice.api.delete(`/api/v1/files/${report.body.id}`, bob.token)).status).toBe(404);
  });

  it("takes a file of exactly the cap and refuses a larger one with 413, keeping nothing of it", async () => {
    const before = (await sluice.api.get("/api/v1/files/", admin.token)).body.length;
    const storedBefore = await storedNames();

    const atCap = await upload(alice, randomBytes(MIB), "at-cap.bin", "application/octet-stream");
    expect(atCap.status, JSON.stringify(atCap.body)).toBe(200);
    expect(atCap.body.meta.size).toBe(MIB);

    const tooLarge = await upload(alice, randomBytes(MIB + 1), "too-large.bin", "application/octet-stream");
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.detail).toMatch(/too large.*1 MB/);
    const muchTooLarge = await upload(alice, randomBytes(3 * MIB), "much-too-large.bin", "application/octet-stream");
    expect(muchTooLarge.status).toBe(413);

    const after = (await sluice.api.get("/api/v1/files/", admin.token)).body;
    expect(after.length).toBe(before + 1);
    expect(after.map((file: { filename: string }) => file.filename)).not.toContain("too-large.bin");
    expect((await storedNames()).sort()).toEqual([...storedBefore, atCap.body.id].sort());
  });

  it("deletes a file: its row and its bytes", async () => {
    const uploaded = await upload(alice, new TextEncoder().encode("short-lived"), "temp.txt", "text/plain");
    const id = uploaded.body.id as string;
    expect(await storedNames()).toContain(id);
    const deleted = await sluice.api.delete(`/api/v1/files/${id}`, alice.token);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ message: "File deleted successfully" });
    expect(await storedNames()).not.toContain(id);
    expect((await sluice.api.get(`/api/v1/files/${id}`, alice.token)).status).toBe(404);
    expect((await sluice.api.get("/api/v1/files/", alice.token)).body.map((file: { id: string }) => file.id)).not.toContain(id);
    expect((await sluice.api.delete(`/api/v1/files/${id}`, alice.token)).status).toBe(404);
  });

  it("says what is wrong with an upload that is not one", async () => {
    const wrongField = await upload(alice, new TextEncoder().encode("x"), "x.txt", "text/plain", "document");
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.detail).toMatch(/field `file`/);
    const json = await sluice.api.post("/api/v1/files/", { file: "x" }, alice.token);
    expect(json.status).toBe(415);
    expect(json.body.detail).toMatch(/multipart\/form-data/);
    const anonymous = await fetch(`${sluice.url}/api/v1/files/`, { method: "POST", body: new FormData() });
    expect(anonymous.status).toBe(401);
  });

  it("refuses a multipart body that is cut short or has no boundary with 400, storing nothing", async () => {
    const before = (await sluice.api.get("/api/v1/files/", alice.token)).body.length;
    const storedBefore = await storedNames();
    const cutShort = '--xyz\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\n\r\nthe start of';
    for (const [contentType, body] of [
      ["multipart/form-data; boundary=xyz", cutShort],
      ["multipart/form-data", "no boundary"],
    ]) {
      const response = await sluice.api.request("POST", "/api/v1/files/", {
        token: alice.token,
        rawBody: body,
        headers: { "content-type": contentType },
      });
      expect(response.status).toBe(400);
      expect(response.body.detail).toMatch(/^Malformed multipart body/);
    }
    expect((await sluice.api.get("/api/v1/files/", alice.token)).body.length).toBe(before);
    expect(await storedNames()).toEqual(storedBefore);
  });
});
