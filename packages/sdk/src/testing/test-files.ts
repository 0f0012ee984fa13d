import { SluiceError } from "../errors.ts";
import { base64ToBytes, bytesToBase64 } from "../runtime/base64-bytes.ts";
import type { HostServeRequest } from "../runtime/types.ts";

/**
 * A file in the test harness's file store: one the test put there (`storedFiles` option) or one
 * the plugin made with `ctx.files.create`.
 *
 * @example
 * const chart = harness.storedFiles.find((file) => file.name === "chart.svg");
 * expect(new TextDecoder().decode(chart?.data)).toContain("<svg");
 */
export interface TestStoredFile {
  id: string;
  name: string;
  contentType: string;
  /** The owner; the harness's user (`user-1`) unless said otherwise. */
  userId: string;
  data: Uint8Array;
}

/** A file to put in the harness's store: `data` is text or bytes. */
export interface TestFileSeed {
  id?: string;
  name: string;
  contentType?: string;
  userId?: string;
  data: string | Uint8Array;
}

/**
 * `ctx.files` in memory for the test harness: the server's methods (`files.read`,
 * `files.readBytes`, `files.create`) and its rule that a user reads only their own files (as
 * `NOT_FOUND` otherwise); not its size cap, which is a server setting.
 *
 * @example
 * const files = createTestFiles([{ name: "notes.txt", data: "Buy milk" }], "user-1");
 * await files.serve({ method: "files.read", args: [files.list()[0].id] }, "user-1");
 */
export function createTestFiles(seeds: readonly TestFileSeed[] = [], defaultUserId: string) {
  const files = new Map<string, TestStoredFile>();
  let count = 0;
  const add = (seed: TestFileSeed & { data: Uint8Array | string }): TestStoredFile => {
    const data = typeof seed.data === "string" ? new TextEncoder().encode(seed.data) : new Uint8Array(seed.data);
    const contentType = seed.contentType ?? (typeof seed.data === "string" ? "text/plain" : "application/octet-stream");
    const file = { id: seed.id ?? `file-${++count}`, name: seed.name, contentType, userId: seed.userId ?? defaultUserId, data };
    files.set(file.id, file);
    return file;
  };
  for (const seed of seeds) add(seed);
  const uploads = new Map<string, { name: string; contentType?: string; userId: string; pieces: Uint8Array[] }>();
  const upload = (handle: unknown, userId: string) => {
    const found = uploads.get(String(handle));
    if (!found || found.userId !== userId) throw new SluiceError("NOT_FOUND", "No such upload");
    return found;
  };
  const readable = (id: unknown, userId: string | null): TestStoredFile => {
    const file = typeof id === "string" ? files.get(id) : undefined;
    if (!file || file.userId !== userId) throw new SluiceError("NOT_FOUND", `File not found: ${String(id)}`);
    return file;
  };

  return {
    /** Answers one `files.*` call of the service channel for `userId`; throws a SluiceError as the server would. */
    async serve(request: HostServeRequest, userId: string | null): Promise<unknown> {
      if (!userId) throw new SluiceError("INVALID_INPUT", "ctx.files needs a user, and this call has none");
      const [first, offset, length] = request.args as [unknown, number, number];
      switch (request.method) {
        case "files.read": {
          const { id, name, contentType, data } = readable(first, userId);
          return { id, name, contentType, size: data.length };
        }
        case "files.readBytes":
          return bytesToBase64(readable(first, userId).data.subarray(offset, offset + length));
        case "files.create": {
          const { name, contentType, text, base64 } = first as { name: string; contentType?: string; text?: string; base64?: string };
          const file = add({ name, ...(contentType ? { contentType } : {}), userId, data: text ?? base64ToBytes(base64 ?? "") });
          return { id: file.id, name: file.name, url: `/api/v1/files/${file.id}/content` };
        }
        case "files.upload.start": {
          const handle = `upload-${++count}`;
          uploads.set(handle, { ...(first as { name: string; contentType?: string }), userId, pieces: [] });
          return handle;
        }
        case "files.upload.append":
          upload(first, userId).pieces.push(base64ToBytes(String(offset)));
          return null;
        case "files.upload.finish": {
          const { pieces, ...rest } = upload(first, userId);
          uploads.delete(String(first));
          const data = new Uint8Array(pieces.reduce((total, piece) => total + piece.length, 0));
          pieces.reduce((at, piece) => (data.set(piece, at), at + piece.length), 0);
          const file = add({
            ...rest,
            data: data.length === 0 ? new Uint8Array() : data,
            contentType: rest.contentType ?? "application/octet-stream",
          });
          return { id: file.id, name: file.name, url: `/api/v1/files/${file.id}/content` };
        }
        case "files.upload.abort":
          uploads.delete(String(first));
          return null;
        default:
          throw new SluiceError("INVALID_INPUT", `The test harness has no host method "${request.method}"`);
      }
    },
    list(): TestStoredFile[] {
      return [...files.values()];
    },
  };
}
