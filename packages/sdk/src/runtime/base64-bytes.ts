// Bytes cross the service channel as base64 text (the channel carries JSON only). These run in
// the isolate, which has neither Buffer nor Uint8Array.fromBase64, so they work on typed arrays
// with lookup tables: ~100 MB/s here, against ~1 MB/s for atob's string building.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ENCODE = new Uint8Array(64).map((_, index) => ALPHABET.charCodeAt(index));
const DECODE = new Int16Array(128).fill(-1);
for (let index = 0; index < 64; index++) DECODE[ALPHABET.charCodeAt(index)] = index;
const PAD = 61; // "="
const CHUNK = 0x8000;

/**
 * Encodes bytes as base64 (with padding).
 *
 * @example
 * bytesToBase64(new Uint8Array([104, 105])); // "aGk="
 */
export function bytesToBase64(bytes: Uint8Array): string {
  const output = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let at = 0;
  let index = 0;
  for (; index + 2 < bytes.length; index += 3) {
    const triple = (bytes[index]! << 16) | (bytes[index + 1]! << 8) | bytes[index + 2]!;
    output[at++] = ENCODE[triple >> 18]!;
    output[at++] = ENCODE[(triple >> 12) & 63]!;
    output[at++] = ENCODE[(triple >> 6) & 63]!;
    output[at++] = ENCODE[triple & 63]!;
  }
  if (index < bytes.length) {
    const hasTwo = index + 1 < bytes.length;
    const triple = (bytes[index]! << 16) | (hasTwo ? bytes[index + 1]! << 8 : 0);
    output[at++] = ENCODE[triple >> 18]!;
    output[at++] = ENCODE[(triple >> 12) & 63]!;
    output[at++] = hasTwo ? ENCODE[(triple >> 6) & 63]! : PAD;
    output[at++] = PAD;
  }
  let text = "";
  for (let start = 0; start < output.length; start += CHUNK) {
    text += String.fromCharCode.apply(null, output.subarray(start, start + CHUNK) as unknown as number[]);
  }
  return text;
}

/**
 * Decodes base64 (padding optional, no whitespace) into bytes; throws on any other character.
 *
 * @example
 * base64ToBytes("aGk="); // Uint8Array [104, 105]
 */
export function base64ToBytes(text: string): Uint8Array {
  let length = text.length;
  while (length > 0 && text.charCodeAt(length - 1) === PAD) length--;
  if (length % 4 === 1) throw new Error("Invalid base64: wrong length");
  const output = new Uint8Array(Math.floor((length * 3) / 4));
  let at = 0;
  let buffer = 0;
  let bits = 0;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    const value = code < 128 ? DECODE[code]! : -1;
    if (value < 0) throw new Error(`Invalid base64: unexpected character at ${index}`);
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      output[at++] = (buffer >> bits) & 0xff;
    }
  }
  return output;
}
