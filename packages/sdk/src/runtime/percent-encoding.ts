import { encodeUtf8 } from "./utf8.ts";

const HEX = "0123456789ABCDEF";

/**
 * Percent-encodes the UTF-8 bytes of `text` for which `shouldEncode` is true; `spaceAsPlus`
 * writes a space as `+` (form encoding).
 *
 * @example
 * percentEncode("a b/é", (byte) => byte === 0x2f || byte > 0x7e); // "a b%2F%C3%A9"
 */
export function percentEncode(text: string, shouldEncode: (byte: number) => boolean, spaceAsPlus = false): string {
  let output = "";
  for (const byte of encodeUtf8(text)) {
    if (spaceAsPlus && byte === 0x20) output += "+";
    else if (shouldEncode(byte)) output += "%" + HEX[byte >> 4] + HEX[byte & 15];
    else output += String.fromCharCode(byte);
  }
  return output;
}

/**
 * The bytes of a percent-encoded string: `%XX` becomes that byte, anything else its UTF-8 bytes
 * (a `%` not followed by two hex digits stays as it is).
 *
 * @example
 * percentDecode("%C3%A9!"); // Uint8Array [0xc3, 0xa9, 0x21]
 */
export function percentDecode(text: string): Uint8Array {
  const bytes = encodeUtf8(text);
  const output = new Uint8Array(bytes.length);
  let length = 0;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    const high = hexValue(bytes[index + 1]);
    const low = hexValue(bytes[index + 2]);
    if (byte === 0x25 && high >= 0 && low >= 0) {
      output[length++] = (high << 4) | low;
      index += 2;
    } else output[length++] = byte;
  }
  return output.slice(0, length);
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}
