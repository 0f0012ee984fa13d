// UTF-8 for the isolate, which has no TextEncoder/TextDecoder of its own. Follows the WHATWG
// Encoding standard: lone surrogates encode as U+FFFD, and each invalid byte sequence ("maximal
// subpart") decodes as one U+FFFD.

const REPLACEMENT = 0xfffd;
const CHUNK = 8_192;

/**
 * The UTF-8 bytes of `text`.
 *
 * @example
 * encodeUtf8("é"); // Uint8Array [0xc3, 0xa9]
 */
export function encodeUtf8(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 3);
  let length = 0;
  for (let index = 0; index < text.length; index++) {
    let code = text.charCodeAt(index);
    if (code < 0x80) {
      bytes[length++] = code;
      continue;
    }
    if (code < 0x800) {
      bytes[length++] = 0xc0 | (code >> 6);
      bytes[length++] = 0x80 | (code & 0x3f);
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(index + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        index++;
        bytes[length++] = 0xf0 | (code >> 18);
        bytes[length++] = 0x80 | ((code >> 12) & 0x3f);
        bytes[length++] = 0x80 | ((code >> 6) & 0x3f);
        bytes[length++] = 0x80 | (code & 0x3f);
        continue;
      }
      code = REPLACEMENT;
    }
    bytes[length++] = 0xe0 | (code >> 12);
    bytes[length++] = 0x80 | ((code >> 6) & 0x3f);
    bytes[length++] = 0x80 | (code & 0x3f);
  }
  return bytes.slice(0, length);
}

/**
 * Decodes UTF-8. With `isStreaming`, an incomplete sequence at the end is not an error but is
 * returned as `rest`, to be put in front of the next bytes. With `isFatal`, invalid input throws
 * a `TypeError` instead of decoding as U+FFFD.
 *
 * @example
 * decodeUtf8(new Uint8Array([0x68, 0xc3]), { isStreaming: true }); // { text: "h", rest: Uint8Array [0xc3] }
 */
export function decodeUtf8(
  bytes: Uint8Array,
  options: { isFatal?: boolean; isStreaming?: boolean } = {},
): { text: string; rest: Uint8Array } {
  const units: number[] = [];
  let text = "";
  let needed = 0;
  let seen = 0;
  let codePoint = 0;
  let lower = 0x80;
  let upper = 0xbf;
  let sequenceStart = 0;
  const invalid = (): void => {
    if (options.isFatal) throw new TypeError("The encoded data was not valid UTF-8");
    units.push(REPLACEMENT);
  };
  const flush = (): void => {
    for (let start = 0; start < units.length; start += CHUNK) text += String.fromCharCode(...units.slice(start, start + CHUNK));
    units.length = 0;
  };
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    if (needed === 0) {
      sequenceStart = index;
      if (byte < 0x80) units.push(byte);
      else if (byte >= 0xc2 && byte <= 0xdf) [needed, codePoint] = [1, byte & 0x1f];
      else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte === 0xe0) lower = 0xa0;
        if (byte === 0xed) upper = 0x9f;
        [needed, codePoint] = [2, byte & 0x0f];
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte === 0xf0) lower = 0x90;
        if (byte === 0xf4) upper = 0x8f;
        [needed, codePoint] = [3, byte & 0x07];
      } else invalid();
    } else if (byte < lower || byte > upper) {
      [needed, seen, codePoint, lower, upper] = [0, 0, 0, 0x80, 0xbf];
      invalid();
      index--; // This byte may start the next sequence.
    } else {
      [lower, upper] = [0x80, 0xbf];
      codePoint = (codePoint << 6) | (byte & 0x3f);
      if (++seen === needed) {
        if (codePoint > 0xffff) units.push(0xd800 + ((codePoint - 0x10000) >> 10), 0xdc00 + ((codePoint - 0x10000) & 0x3ff));
        else units.push(codePoint);
        [needed, seen, codePoint] = [0, 0, 0];
      }
    }
    if (units.length >= CHUNK) flush();
  }
  let rest = new Uint8Array(0);
  if (needed !== 0) {
    if (options.isStreaming) rest = bytes.slice(sequenceStart);
    else invalid();
  }
  flush();
  return { text, rest };
}
