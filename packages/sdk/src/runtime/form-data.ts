import { decodeUtf8, encodeUtf8 } from "./utf8.ts";

type BlobPart = string | ArrayBuffer | ArrayBufferView | Blob;

/**
 * The web `Blob` (bytes with a content type), installed in the isolate when missing so plugins
 * can put file parts into a `FormData` body of `ctx.fetch`.
 *
 * @example
 * const blob = new Blob(["hello"], { type: "text/plain" });
 * await blob.text(); // "hello"
 */
export class Blob {
  readonly type: string;
  #bytes: Uint8Array;

  constructor(parts: Iterable<BlobPart> = [], options: { type?: string } = {}) {
    const pieces = Array.from(parts ?? [], (part) => Blob.#partBytes(part));
    const bytes = new Uint8Array(pieces.reduce((total, piece) => total + piece.length, 0));
    let offset = 0;
    for (const piece of pieces) {
      bytes.set(piece, offset);
      offset += piece.length;
    }
    this.#bytes = bytes;
    const type = String(options?.type ?? "");
    this.type = /^[\x20-\x7e]*$/.test(type) ? type.toLowerCase() : "";
  }

  /** The bytes of a value handed to `new Blob([...])`: strings as UTF-8, views and buffers copied. */
  static #partBytes(part: BlobPart): Uint8Array {
    if (part instanceof Blob) return part.#bytes;
    if (typeof part === "string") return encodeUtf8(part);
    if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer, part.byteOffset, part.byteLength).slice();
    if (Object.prototype.toString.call(part) === "[object ArrayBuffer]") return new Uint8Array(part as ArrayBuffer).slice();
    return encodeUtf8(String(part));
  }

  get size(): number {
    return this.#bytes.length;
  }

  get [Symbol.toStringTag](): string {
    return "Blob";
  }

  async bytes(): Promise<Uint8Array> {
    return this.#bytes.slice();
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#bytes.slice().buffer;
  }

  async text(): Promise<string> {
    return decodeUtf8(this.#bytes).text;
  }

  slice(start?: number, end?: number, type?: string): Blob {
    return new Blob([this.#bytes.subarray(start, end)], { type: type ?? "" });
  }
}

/**
 * The web `File`: a `Blob` with a name (the file name of a multipart file part).
 *
 * @example
 * const file = new File([pngBytes], "cat.png", { type: "image/png" });
 */
export class File extends Blob {
  readonly name: string;
  readonly lastModified: number;

  constructor(parts: Iterable<BlobPart>, name: string, options: { type?: string; lastModified?: number } = {}) {
    super(parts, options);
    this.name = String(name);
    this.lastModified = Number(options?.lastModified ?? Date.now());
  }

  override get [Symbol.toStringTag](): string {
    return "File";
  }
}

type FormValue = string | File;

function toFormValue(value: unknown, fileName?: string): FormValue {
  if (!(value instanceof Blob)) return String(value);
  if (value instanceof File && fileName === undefined) return value;
  return new File([value], fileName ?? (value instanceof File ? value.name : "blob"), { type: value.type });
}

/**
 * The web `FormData`, installed in the isolate when missing: a `ctx.fetch` body sent as
 * `multipart/form-data`. Values are strings or files (a `Blob` becomes a file named "blob" unless
 * a name is given).
 *
 * @example
 * const form = new FormData();
 * form.append("purpose", "vision");
 * form.append("file", new Blob([bytes], { type: "image/png" }), "cat.png");
 * await ctx.fetch("https://api.example.com/upload", { method: "POST", body: form });
 */
export class FormData {
  #entries: Array<[string, FormValue]> = [];

  get [Symbol.toStringTag](): string {
    return "FormData";
  }

  append(name: string, value: unknown, fileName?: string): void {
    this.#entries.push([String(name), toFormValue(value, fileName)]);
  }

  set(name: string, value: unknown, fileName?: string): void {
    const key = String(name);
    const index = this.#entries.findIndex(([entry]) => entry === key);
    const entry: [string, FormValue] = [key, toFormValue(value, fileName)];
    if (index === -1) this.#entries.push(entry);
    else this.#entries = [...this.#entries.slice(0, index), entry, ...this.#entries.slice(index + 1).filter(([other]) => other !== key)];
  }

  get(name: string): FormValue | null {
    return this.#entries.find(([entry]) => entry === String(name))?.[1] ?? null;
  }

  getAll(name: string): FormValue[] {
    return this.#entries.filter(([entry]) => entry === String(name)).map(([, value]) => value);
  }

  has(name: string): boolean {
    return this.#entries.some(([entry]) => entry === String(name));
  }

  delete(name: string): void {
    this.#entries = this.#entries.filter(([entry]) => entry !== String(name));
  }

  forEach(callback: (value: FormValue, name: string, form: FormData) => void): void {
    for (const [name, value] of this.#entries) callback(value, name, this);
  }

  entries(): IterableIterator<[string, FormValue]> {
    return this.#entries.map(([name, value]): [string, FormValue] => [name, value])[Symbol.iterator]();
  }

  keys(): IterableIterator<string> {
    return this.#entries.map(([name]) => name)[Symbol.iterator]();
  }

  values(): IterableIterator<FormValue> {
    return this.#entries.map(([, value]) => value)[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[string, FormValue]> {
    return this.entries();
  }
}
