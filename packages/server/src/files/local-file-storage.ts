import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SluiceError } from "@sluice/sdk";
import type { FileStorage } from "./file-storage.ts";

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === "ENOENT";
}

/**
 * {@link FileStorage} in a folder (`DATA_DIR/uploads`): one file per key, mode 0600 in a 0700
 * folder. A file being written has a temporary name and is renamed into place when complete, so
 * a crash mid-upload never leaves a partial file under a real key.
 *
 * @example
 * const storage = createLocalFileStorage(path.join(config.dataDir, "uploads"));
 * await storage.put(id, Readable.from([bytes]));
 */
export function createLocalFileStorage(folder: string): FileStorage {
  let isReady: Promise<void> | undefined;
  const ready = () => (isReady ??= fs.mkdir(folder, { recursive: true, mode: 0o700 }).then(() => undefined));

  function pathOf(key: string): string {
    if (!KEY_PATTERN.test(key) || key.includes("..")) throw new SluiceError("INVALID_INPUT", `Not a storage key: ${key}`);
    return path.join(folder, key);
  }

  return {
    async put(key, source) {
      const target = pathOf(key);
      await ready();
      const temporary = path.join(folder, `.partial-${randomUUID()}`);
      try {
        await pipeline(Readable.from(source), createWriteStream(temporary, { flags: "wx", mode: 0o600 }));
        await fs.rename(temporary, target);
      } catch (error) {
        await fs.rm(temporary, { force: true });
        throw error;
      }
    },

    async get(key, range) {
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(pathOf(key), "r");
      } catch (error) {
        if (isMissing(error)) throw new SluiceError("NOT_FOUND", "The file's content is missing from the storage");
        throw error;
      }
      if (!range) return handle.createReadStream();
      if (range.length <= 0) {
        await handle.close();
        return Readable.from([]);
      }
      return handle.createReadStream({ start: range.offset, end: range.offset + range.length - 1 });
    },

    async delete(key) {
      await fs.rm(pathOf(key), { force: true });
    },
  };
}
