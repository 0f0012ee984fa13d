// The web's atob/btoa for the isolate, which has neither (zod's z.base64() and z.jwt() need atob).

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const VALUES = new Map([...ALPHABET].map((character, index) => [character, index]));
const CHUNK = 8_192;

function invalidCharacter(message: string): Error {
  const error = new Error(message);
  error.name = "InvalidCharacterError";
  return error;
}

/**
 * Encodes a string of Latin-1 characters (code units up to 0xFF: "binary strings") as base64.
 * Encode text first (`TextEncoder`) to base64 anything else.
 *
 * @example
 * btoa("hello"); // "aGVsbG8="
 */
export function btoa(data: unknown): string {
  const text = String(data);
  let output = "";
  for (let index = 0; index < text.length; index += 3) {
    const [a, b, c] = [text.charCodeAt(index), text.charCodeAt(index + 1), text.charCodeAt(index + 2)];
    if (a > 0xff || b > 0xff || c > 0xff) throw invalidCharacter("btoa: the string has characters outside of Latin-1");
    const triple = (a << 16) | ((b || 0) << 8) | (c || 0);
    output += ALPHABET[triple >> 18]! + ALPHABET[(triple >> 12) & 63]!;
    output += index + 1 < text.length ? ALPHABET[(triple >> 6) & 63]! : "=";
    output += index + 2 < text.length ? ALPHABET[triple & 63]! : "=";
  }
  return output;
}

/**
 * Decodes base64 ("forgiving": ASCII whitespace is ignored, padding optional) into a string of
 * Latin-1 characters; throws an `InvalidCharacterError` on anything else.
 *
 * @example
 * atob("aGVsbG8="); // "hello"
 */
export function atob(data: unknown): string {
  let text = String(data).replace(/[\t\n\f\r ]/g, "");
  if (text.length % 4 === 0) text = text.replace(/==?$/, "");
  if (text.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(text)) throw invalidCharacter("atob: the string is not correctly encoded base64");
  const codes: number[] = [];
  let output = "";
  let buffer = 0;
  let bits = 0;
  for (const character of text) {
    buffer = ((buffer << 6) | VALUES.get(character)!) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      codes.push((buffer >> bits) & 0xff);
      if (codes.length === CHUNK) output += String.fromCharCode(...codes.splice(0));
    }
  }
  return output + String.fromCharCode(...codes);
}
