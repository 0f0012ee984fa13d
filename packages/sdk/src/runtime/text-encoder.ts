import { encodeUtf8 } from "./utf8.ts";

/**
 * The web `TextEncoder` (UTF-8), installed in the isolate by `installGlobals` when missing.
 *
 * @example
 * new TextEncoder().encode("é"); // Uint8Array [0xc3, 0xa9]
 */
export class TextEncoder {
  get encoding(): "utf-8" {
    return "utf-8";
  }

  encode(input: unknown = ""): Uint8Array {
    return encodeUtf8(String(input));
  }

  /** Writes as many whole characters as fit into `destination`. */
  encodeInto(source: unknown, destination: Uint8Array): { read: number; written: number } {
    if (!(destination instanceof Uint8Array)) throw new TypeError("TextEncoder.encodeInto: the destination must be a Uint8Array");
    const text = String(source);
    let read = 0;
    let written = 0;
    while (read < text.length) {
      const code = text.codePointAt(read)!;
      const units = code > 0xffff ? 2 : 1;
      const bytes = encodeUtf8(text.slice(read, read + units));
      if (written + bytes.length > destination.length) break;
      destination.set(bytes, written);
      written += bytes.length;
      read += units;
    }
    return { read, written };
  }
}
