import { SluiceError } from "@sluice/sdk";
import type { FileRow } from "../db/files-repository.ts";
import type { ByteRange } from "./file-storage.ts";
import type { FileReader, FileStore } from "./file-store.ts";

/** Who a plugin acts for: the requesting user and the files the request carries. */
export interface FilePrincipal {
  user: FileReader;
  /** Ids of the request's files (`files: [{type: "file", id}]`). */
  requestFileIds?: readonly string[];
}

/** A file as a plugin reads it (`ctx.files.read`). */
export interface PluginFile {
  id: string;
  name: string;
  contentType: string;
  size: number;
  bytes(): Promise<Uint8Array>;
  /** The bytes as UTF-8 text (malformed sequences become U+FFFD). */
  text(): Promise<string>;
}

/** A file a plugin stores (`ctx.files.create`): `data` is text (stored as UTF-8) or bytes. */
export interface NewPluginFile {
  userId: string;
  name: string;
  contentType?: string;
  data: string | Uint8Array;
}

/** What `ctx.files.create` answers: `url` is what a `files` event or an image part points at. */
export interface CreatedFile {
  id: string;
  name: string;
  url: string;
}

/** The path of a file's content, relative to the server. */
export function fileContentUrl(id: string): string {
  return `/api/v1/files/${id}/content`;
}

/**
 * The file operations of the plugin host API (`ctx.files`), over the file store.
 *
 * `read` gives a plugin the user's own files and the request's files the user may read; any
 * other id, even one an admin could open over HTTP, is NOT_FOUND: a plugin sees what its request
 * is about, not the whole store. `create` stores a file owned by the user, under the same size
 * cap as uploads.
 *
 * @example
 * const files = createFileService(services.files);
 * const report = await files.read(id, { user, requestFileIds });
 * const chart = await files.create({ userId: user.id, name: "chart.png", contentType: "image/png", data: png });
 */
export function createFileService(store: FileStore) {
  const readable = async (id: string, principal: FilePrincipal): Promise<FileRow> => {
    const file = await store.find(id);
    const isOwn = file?.user_id === principal.user.id;
    const isRequestFile = file !== undefined && (principal.requestFileIds ?? []).includes(id);
    if (!file || !(isOwn || (isRequestFile && (await store.canRead(principal.user, file))))) {
      throw new SluiceError("NOT_FOUND", `File not found: ${id}`);
    }
    return file;
  };
  return {
    async read(id: string, principal: FilePrincipal): Promise<PluginFile> {
      const file = await readable(id, principal);
      let bytes: Promise<Uint8Array> | undefined;
      const readBytes = () => (bytes ??= store.readAll(file));
      return {
        id: file.id,
        name: file.filename,
        contentType: file.content_type,
        size: file.size,
        bytes: async () => (await readBytes()).slice(),
        text: async () => new TextDecoder().decode(await readBytes()),
      };
    },

    /** Part of a file the principal may read (the same rule as {@link read}): how `ctx.files` reads bytes in chunks. */
    async readBytes(id: string, principal: FilePrincipal, range: ByteRange): Promise<Uint8Array> {
      return store.readRange(await readable(id, principal), range);
    },

    /**
     * Stores a file whose bytes come in pieces (a plugin's staged upload), streamed into the store
     * under the same cap: past it the source fails with PAYLOAD_TOO_LARGE and nothing is left.
     */
    async createFromStream(file: Omit<NewPluginFile, "data"> & { source: AsyncIterable<Uint8Array> }): Promise<CreatedFile> {
      const contentType = file.contentType ?? "application/octet-stream";
      const stored = await store.save({ userId: file.userId, name: file.name, contentType, source: file.source });
      return { id: stored.id, name: stored.filename, url: fileContentUrl(stored.id) };
    },

    async create(file: NewPluginFile): Promise<CreatedFile> {
      if (typeof file.data !== "string" && !(file.data instanceof Uint8Array)) {
        throw new SluiceError("INVALID_INPUT", "A file's data must be a string or a Uint8Array");
      }
      const data = typeof file.data === "string" ? new TextEncoder().encode(file.data) : file.data;
      const contentType = file.contentType ?? (typeof file.data === "string" ? "text/plain" : "application/octet-stream");
      const stored = await store.save({ userId: file.userId, name: file.name, contentType, source: [data] });
      return { id: stored.id, name: stored.filename, url: fileContentUrl(stored.id) };
    },
  };
}

export type FileService = ReturnType<typeof createFileService>;
