import type { FileReference } from "./chat-body.ts";

/**
 * A stored file as a plugin reads it (`ctx.files.read`). The bytes are fetched from the server
 * when first asked for, once.
 *
 * @example
 * const file = await ctx.files.read(ctx.files[0].id!);
 * if (file.contentType.startsWith("text/")) summary = (await file.text()).slice(0, 200);
 */
export interface PluginFile {
  id: string;
  /** The file name it was uploaded or created with. */
  name: string;
  contentType: string;
  /** In bytes. */
  size: number;
  /** The content. */
  bytes(): Promise<Uint8Array>;
  /** The content as UTF-8 text (malformed sequences become U+FFFD). */
  text(): Promise<string>;
}

/**
 * A file a plugin stores (`ctx.files.create`): `data` is text (stored as UTF-8) or bytes.
 * `contentType` defaults to `text/plain` for text and `application/octet-stream` for bytes.
 *
 * @example
 * const file: NewFile = { name: "chart.svg", contentType: "image/svg+xml", data: svg };
 */
export interface NewFile {
  name: string;
  contentType?: string;
  data: string | Uint8Array;
}

/**
 * A stored file: `url` (`/api/v1/files/{id}/content`) is what a `files` event or an image part
 * points at.
 *
 * @example
 * const { url, name } = await ctx.files.create({ name: "notes.txt", data: "…" });
 * await ctx.emit({ type: "files", data: { files: [{ type: "image", url, name }] } });
 */
export interface CreatedFile {
  id: string;
  name: string;
  url: string;
}

/**
 * `ctx.files`: the request's files (Open WebUI's `__files__`, an array as before) and the file
 * store. `read` opens one of the request's files or one of the user's own (any other id is
 * `NOT_FOUND`); `create` stores a file owned by the user, under the server's size cap
 * (`FILE_MAX_SIZE_MB`; a larger one fails with `PAYLOAD_TOO_LARGE` and stores nothing).
 *
 * @example
 * for (const reference of ctx.files) {
 *   const file = await ctx.files.read(reference.id!);
 *   ctx.log.info(file.name, file.size);
 * }
 * const chart = await ctx.files.create({ name: "chart.svg", contentType: "image/svg+xml", data: svg });
 */
export interface PluginFiles {
  read(id: string): Promise<PluginFile>;
  create(file: NewFile): Promise<CreatedFile>;
}

/** `ctx.files`: the request's file references, with {@link PluginFiles}' methods. */
export type RequestFiles = FileReference[] & PluginFiles;
