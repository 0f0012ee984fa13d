import type { FileReference } from "../chat-body.ts";
import { SluiceError } from "../errors.ts";
import type { CreatedFile, NewFile, PluginFile, RequestFiles } from "../plugin-files.ts";
import { base64ToBytes, bytesToBase64 } from "./base64-bytes.ts";
import type { HostServe } from "./create-serve.ts";
import { describeValue } from "./describe-value.ts";

/** Bytes per `files.readBytes` call: 5.3 MiB of base64, well inside the channel's 16 MiB of JSON. */
export const FILE_READ_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Most bytes one service-channel message of `ctx.files.create` carries (as base64, 10.7 MiB of the
 * channel's 16 MiB of JSON); a larger file goes up in pieces of this size (`files.upload.*`).
 * The server's cap (`FILE_MAX_SIZE_MB`) applies to the whole file.
 */
export const FILE_CREATE_PIECE_BYTES = 8 * 1024 * 1024;

/** Text up to this many characters goes as it is (JSON escapes may grow it up to six times). */
const MAX_TEXT_IN_ONE_MESSAGE = 2 * 1024 * 1024;

/** What `files.read` answers: the file without its bytes. */
interface FileHead {
  id: string;
  name: string;
  contentType: string;
  size: number;
}

/**
 * `ctx.files`: the request's file references (an array, as before) with `read` and `create` over
 * the service channel (methods `files.read`, `files.readBytes`, `files.create`, and
 * `files.upload.*` for a large file). Bytes cross as base64 text, read in chunks of
 * {@link FILE_READ_CHUNK_BYTES} and stored in pieces of {@link FILE_CREATE_PIECE_BYTES}; the methods are not enumerable,
 * so the array spreads and serialises as the plain list it was.
 *
 * @example
 * const files = createFiles(serve, request.context.files ?? []);
 * const text = await (await files.read(files[0].id)).text();
 */
export function createFiles(serve: HostServe, references: readonly FileReference[]): RequestFiles {
  const files = [...references] as RequestFiles;
  Object.defineProperties(files, {
    read: { value: (id: string) => readFile(serve, id) },
    create: { value: (file: NewFile) => createFile(serve, file) },
  });
  return files;
}

async function readFile(serve: HostServe, id: string): Promise<PluginFile> {
  if (typeof id !== "string" || id === "")
    throw new SluiceError("INVALID_INPUT", `ctx.files.read expects a file id (a string), got ${describeValue(id)}`);
  const head = (await serve("files.read", id)) as FileHead;
  let content: Promise<Uint8Array> | undefined;
  const bytes = () => (content ??= readBytes(serve, head));
  return Object.freeze({
    ...head,
    bytes: async () => (await bytes()).slice(),
    text: async () => new TextDecoder().decode(await bytes()),
  });
}

async function readBytes(serve: HostServe, head: FileHead): Promise<Uint8Array> {
  const output = new Uint8Array(head.size);
  let offset = 0;
  while (offset < head.size) {
    const chunk = base64ToBytes((await serve("files.readBytes", head.id, offset, FILE_READ_CHUNK_BYTES)) as string);
    if (chunk.length === 0) break;
    output.set(chunk.subarray(0, head.size - offset), offset);
    offset += chunk.length;
  }
  return offset < head.size ? output.slice(0, offset) : output;
}

async function createFile(serve: HostServe, file: NewFile): Promise<CreatedFile> {
  if (typeof file !== "object" || file === null)
    throw new SluiceError("INVALID_INPUT", `ctx.files.create expects { name, contentType?, data }, got ${describeValue(file)}`);
  const { name, contentType, data } = file;
  if (typeof name !== "string" || name === "")
    throw new SluiceError("INVALID_INPUT", `ctx.files.create needs a name (a string), got ${describeValue(name)}`);
  if (contentType !== undefined && typeof contentType !== "string")
    throw new SluiceError("INVALID_INPUT", `ctx.files.create: contentType must be a string, got ${describeValue(contentType)}`);
  if (typeof data !== "string" && !(data instanceof Uint8Array))
    throw new SluiceError("INVALID_INPUT", `ctx.files.create: data must be a string or a Uint8Array, got ${describeValue(data)}`);
  const typed = contentType === undefined ? {} : { contentType };
  if (typeof data === "string" && data.length <= MAX_TEXT_IN_ONE_MESSAGE) {
    return (await serve("files.create", { name, ...typed, text: data })) as CreatedFile;
  }
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  if (bytes.byteLength <= FILE_CREATE_PIECE_BYTES) {
    return (await serve("files.create", { name, ...typed, base64: bytesToBase64(bytes) })) as CreatedFile;
  }
  const defaultType = typeof data === "string" ? { contentType: "text/plain" } : {};
  const handle = (await serve("files.upload.start", { name, ...defaultType, ...typed })) as string;
  try {
    for (let offset = 0; offset < bytes.byteLength; offset += FILE_CREATE_PIECE_BYTES) {
      await serve("files.upload.append", handle, bytesToBase64(bytes.subarray(offset, offset + FILE_CREATE_PIECE_BYTES)));
    }
  } catch (error) {
    await serve("files.upload.abort", handle).catch(() => undefined);
    throw error;
  }
  return (await serve("files.upload.finish", handle)) as CreatedFile;
}
