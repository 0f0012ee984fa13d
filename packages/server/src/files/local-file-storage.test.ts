import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import { createLocalFileStorage } from "./local-file-storage.ts";

describe("createLocalFileStorage", () => {
  let root: string;
  let folder: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), "sluice-storage-"));
    folder = path.join(root, "uploads");
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  it("stores, streams back and deletes bytes, in a private folder", async () => {
    const storage = createLocalFileStorage(folder);
    await storage.put("key-1", [new Uint8Array([0, 255, 1]), new Uint8Array([2])]);
    expect([...(await readAll(await storage.get("key-1")))]).toEqual([0, 255, 1, 2]);
    expect((await fs.stat(folder)).mode & 0o777).toBe(0o700);
    expect((await fs.stat(path.join(folder, "key-1"))).mode & 0o777).toBe(0o600);
    await storage.delete("key-1");
    await storage.delete("key-1");
    await expect(storage.get("key-1")).rejects.toSatisfy((error) => SluiceError.isInstance(error) && error.code === "NOT_FOUND");
  });

  it("streams a range: from an offset, at most a length, nothing past the end", async () => {
    const storage = createLocalFileStorage(folder);
    await storage.put("key-2", [new Uint8Array([10, 11, 12, 13, 14])]);
    expect([...(await readAll(await storage.get("key-2", { offset: 1, length: 3 })))]).toEqual([11, 12, 13]);
    expect([...(await readAll(await storage.get("key-2", { offset: 3, length: 10 })))]).toEqual([13, 14]);
    expect([...(await readAll(await storage.get("key-2", { offset: 9, length: 2 })))]).toEqual([]);
    expect([...(await readAll(await storage.get("key-2", { offset: 0, length: 0 })))]).toEqual([]);
  });

  it("leaves nothing behind when the source fails midway", async () => {
    const storage = createLocalFileStorage(folder);
    async function* failing() {
      yield new Uint8Array(1024);
      throw new Error("client went away");
    }
    await expect(storage.put("key-2", failing())).rejects.toThrow("client went away");
    expect(await fs.readdir(folder)).toEqual([]);
  });

  it("refuses keys that are paths", async () => {
    const storage = createLocalFileStorage(folder);
    for (const key of ["../escape", "a/b", "", ".hidden", "a..b"]) {
      await expect(storage.put(key, [new Uint8Array(1)])).rejects.toThrow(/Not a storage key/);
      await expect(storage.get(key)).rejects.toThrow(/Not a storage key/);
    }
    expect(await fs.readdir(root)).not.toContain("escape");
  });
});
