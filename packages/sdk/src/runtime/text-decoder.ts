import { decodeUtf8 } from "./utf8.ts";

const UTF8_LABELS = new Set(["utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"]);

/**
 * The web `TextDecoder` for UTF-8 (the only encoding in the sandbox), installed in the isolate by
 * `installGlobals` when missing. Supports `fatal`, `ignoreBOM` and `{ stream: true }`.
 *
 * @example
 * new TextDecoder().decode(new Uint8Array([0xc3, 0xa9])); // "é"
 */
export class TextDecoder {
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  #pending: Uint8Array = new Uint8Array(0);
  #isStreamStart = true;

  constructor(label: unknown = "utf-8", options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
    const name = String(label).trim().toLowerCase();
    if (!UTF8_LABELS.has(name)) throw new RangeError(`TextDecoder: the encoding "${String(label)}" is not supported (only UTF-8 is)`);
    this.fatal = Boolean(options?.fatal);
    this.ignoreBOM = Boolean(options?.ignoreBOM);
  }

  get encoding(): "utf-8" {
    return "utf-8";
  }

  decode(input?: ArrayBuffer | ArrayBufferView | null, options: { stream?: boolean } = {}): string {
    const isStreaming = Boolean(options?.stream);
    let bytes: Uint8Array = toBytes(input);
    if (this.#pending.length > 0) {
      const joined = new Uint8Array(this.#pending.length + bytes.length);
      joined.set(this.#pending);
      joined.set(bytes, this.#pending.length);
      bytes = joined;
    }
    let text: string;
    try {
      ({ text, rest: this.#pending } = decodeUtf8(bytes, { isFatal: this.fatal, isStreaming }));
    } catch (error) {
      this.#reset();
      throw error;
    }
    if (this.#isStreamStart && text.length > 0) {
      if (!this.ignoreBOM && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.#isStreamStart = false;
    }
    if (!isStreaming) this.#reset();
    return text;
  }

  #reset(): void {
    this.#pending = new Uint8Array(0);
    this.#isStreamStart = true;
  }
}

function toBytes(input: unknown): Uint8Array {
  if (input === undefined || input === null) return new Uint8Array(0);
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError("TextDecoder.decode expects an ArrayBuffer or a typed array");
}
