import { SluiceError } from "../errors.ts";
import { describeValue } from "./describe-value.ts";
import { encodeUtf8 } from "./utf8.ts";

/** A form value: a string, or a file-like `Blob` (ours in the isolate, Node's in the trusted tier). */
interface BlobLike {
  readonly type: string;
  readonly name?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

interface FormLike {
  forEach(callback: (value: string | BlobLike, name: string) => void): void;
}

// By tag, not instanceof: a FormData may come from Node (trusted tier) or from our shim.
const tagOf = (value: object): string => Object.prototype.toString.call(value);

/**
 * Turns a `ctx.fetch` body into what crosses to the host: text stays text, bytes are copied,
 * `URLSearchParams` become form-encoded text and `FormData` a multipart body. Sets the matching
 * `content-type` in `headers` (lower-case names) unless the plugin set one.
 *
 * @example
 * const headers: Record<string, string> = {};
 * await encodeFetchBody(new URLSearchParams({ q: "café" }), headers); // "q=caf%C3%A9"
 * headers["content-type"]; // "application/x-www-form-urlencoded;charset=UTF-8"
 */
export async function encodeFetchBody(body: unknown, headers: Record<string, string>): Promise<string | Uint8Array | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return body;
  if (typeof body === "object") {
    const tag = tagOf(body);
    if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice();
    if (tag === "[object ArrayBuffer]") return new Uint8Array(body as ArrayBuffer).slice();
    if (tag === "[object URLSearchParams]") {
      headers["content-type"] ??= "application/x-www-form-urlencoded;charset=UTF-8";
      return String(body);
    }
    if (tag === "[object FormData]") {
      const boundary = `----sluice-${randomToken()}`;
      headers["content-type"] ??= `multipart/form-data; boundary=${boundary}`;
      return encodeMultipart(body as FormLike, boundary);
    }
    if (tag === "[object Blob]" || tag === "[object File]") {
      const blob = body as BlobLike;
      if (blob.type) headers["content-type"] ??= blob.type;
      return new Uint8Array(await blob.arrayBuffer());
    }
  }
  throw new SluiceError(
    "INVALID_INPUT",
    `ctx.fetch: "body" must be a string, a Uint8Array, an ArrayBuffer, URLSearchParams, FormData or a Blob, got ${describeValue(body)} ` +
      "(serialise JSON with JSON.stringify)",
  );
}

/** `multipart/form-data` as browsers send it (RFC 7578): names and file names with `"`, CR and LF escaped. */
async function encodeMultipart(form: FormLike, boundary: string): Promise<Uint8Array> {
  const entries: Array<[string, string | BlobLike]> = [];
  form.forEach((value, name) => entries.push([name, value]));
  const parts: Uint8Array[] = [];
  for (const [name, value] of entries) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"`;
    if (typeof value === "string") {
      parts.push(encodeUtf8(`${head}\r\n\r\n${value.replace(/\r(?!\n)|(?<!\r)\n/g, "\r\n")}\r\n`));
      continue;
    }
    head += `; filename="${escapeName(value.name ?? "blob")}"\r\nContent-Type: ${value.type || "application/octet-stream"}\r\n\r\n`;
    parts.push(encodeUtf8(head), new Uint8Array(await value.arrayBuffer()), encodeUtf8("\r\n"));
  }
  parts.push(encodeUtf8(`--${boundary}--\r\n`));
  const bytes = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

const escapeName = (name: string): string => String(name).replaceAll('"', "%22").replaceAll("\r", "%0D").replaceAll("\n", "%0A");

function randomToken(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
