import type { FileReference } from "../chat-body.ts";
import { SluiceError } from "../errors.ts";
import type { CreatedFile, NewFile, PluginFile, RequestFiles } from "../plugin-files.ts";
import { base64ToBytes, bytesToBase64 } from "./base64-bytes.ts";
import type { HostServe } from "./create-serve.ts";
import { describeValue } from "./describe-value.ts";

/** Bytes per `files.readBytes` call: 5.3 MiB of base64, well inside the channel's 16 MiB of JSON. */
export const FILE_READ_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Most bytes one `ctx.files.create` sends: as base64 inside the channel's 16 MiB of JSON. The
 * server's own cap (`FILE_MAX_SIZE_MB`) applies on top.
 */
export const FILE_CREATE_MAX_BYTES = 12 * 1024 * 1024;

/** What `files.read` answers: the file without its bytes. */
interface FileHead {
  id: string;
  name: string;
  contentType: string;
  size: number;
}

/**
 * `ctx.files`: the request's file references (an array, as before) with `read` and `create` over
 * the service channel (methods `files.read`, `files.readBytes`, `files.create`). Bytes cross as
 * base64 text, read in chunks of {@link FILE_READ_CHUNK_BYTES}; the methods are not enumerable,
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
  const size = typeof data === "string" ? data.length : data.byteLength;
  if (size > FILE_CREATE_MAX_BYTES) {
    throw new SluiceError(
      "PAYLOAD_TOO_LARGE",
      `ctx.files.create: "${name}" is ${size} bytes; one call stores at most ${FILE_CREATE_MAX_BYTES} (12 MiB). Nothing was stored`,
    );
  }
  const content = typeof data === "string" ? { text: data } : { base64: bytesToBase64(data) };
  return (await serve("files.create", { name, ...(contentType === undefined ? {} : { contentType }), ...content })) as CreatedFile;
}
