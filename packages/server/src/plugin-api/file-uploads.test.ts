import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import { FileUploads } from "./file-uploads.ts";

/** A file service whose store reads the upload's stream to its end (or failure), keeping what it got. */
function fakeFiles(maxBytes = Number.POSITIVE_INFINITY) {
  const stored: Array<{ name: string; bytes: number[] }> = [];
  const failed: unknown[] = [];
  return {
    stored,
    failed,
    async createFromStream(file: { name: string; source: AsyncIterable<Uint8Array> }) {
      const bytes: number[] = [];
      try {
        for await (const piece of file.source) {
          bytes.push(...piece);
          if (bytes.length > maxBytes) throw new SluiceError("PAYLOAD_TOO_LARGE", "The file is too large (FILE_MAX_SIZE_MB)");
        }
      } catch (error) {
        failed.push(error);
        throw error;
      }
      stored.push({ name: file.name, bytes });
      return { id: "f1", name: file.name, url: "/api/v1/files/f1/content" };
    },
  };
}

const OWNER = "function:maker:u1";

describe("FileUploads", () => {
  it("streams the pieces into one stored file", async () => {
    const files = fakeFiles();
    const uploads = new FileUploads(files, { idleMs: 1000, maxOpen: 2 });
    const handle = uploads.start(OWNER, { userId: "u1", name: "a.bin" });
    await uploads.append(OWNER, handle, new Uint8Array([1, 2]));
    await uploads.append(OWNER, handle, new Uint8Array([3]));
    expect(await uploads.finish(OWNER, handle)).toEqual({ id: "f1", name: "a.bin", url: "/api/v1/files/f1/content" });
    expect(files.stored).toEqual([{ name: "a.bin", bytes: [1, 2, 3] }]);
    await expect(uploads.append(OWNER, handle, new Uint8Array([4]))).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("keeps an upload to the plugin and user that started it, and a few open at once", async () => {
    const uploads = new FileUploads(fakeFiles(), { idleMs: 1000, maxOpen: 1 });
    const handle = uploads.start(OWNER, { userId: "u1", name: "a.bin" });
    await expect(uploads.append("function:maker:u2", handle, new Uint8Array([1]))).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(() => uploads.start(OWNER, { userId: "u1", name: "b.bin" })).toThrow(/At most 1/);
    expect(uploads.start("tool:maker:u1", { userId: "u1", name: "c.bin" })).toEqual(expect.any(String));
    uploads.abort(OWNER, handle);
  });

  it("fails at the piece that goes past the cap, and stores nothing", async () => {
    const files = fakeFiles(3);
    const uploads = new FileUploads(files, { idleMs: 1000, maxOpen: 2 });
    const handle = uploads.start(OWNER, { userId: "u1", name: "a.bin" });
    await uploads.append(OWNER, handle, new Uint8Array([1, 2]));
    const failure = await uploads
      .append(OWNER, handle, new Uint8Array([3, 4]))
      .then(() => uploads.finish(OWNER, handle))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    expect(files.stored).toEqual([]);
  });

  it("drops an upload left unfinished, or aborted, so the store removes its bytes", async () => {
    const files = fakeFiles();
    const uploads = new FileUploads(files, { idleMs: 30, maxOpen: 2 });
    const left = uploads.start(OWNER, { userId: "u1", name: "left.bin" });
    await uploads.append(OWNER, left, new Uint8Array([1]));
    const aborted = uploads.start(OWNER, { userId: "u1", name: "aborted.bin" });
    uploads.abort(OWNER, aborted);
    await delay(100);
    expect(files.failed).toHaveLength(2);
    expect(files.stored).toEqual([]);
    await expect(uploads.finish(OWNER, left)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
