/**
 * Names and types of stored files: what an upload says is cleaned once, and what a download
 * sends is built so that no stored file can run script in Sluice's origin.
 */

const MAX_NAME_CHARACTERS = 255;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** The last segment of an uploaded name, without control characters; "file" when nothing is left. */
export function cleanFilename(name: string | undefined): string {
  const base = (name ?? "").split(/[\\/]/).at(-1) ?? "";
  const cleaned = base.replace(CONTROL_CHARACTERS, "").trim();
  if (cleaned === "" || cleaned === "." || cleaned === "..") return "file";
  return [...cleaned].slice(0, MAX_NAME_CHARACTERS).join("");
}

const TOKEN = "[a-z0-9][a-z0-9!#$&^_.+-]{0,126}";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}$`);

/** A lower-case `type/subtype` without parameters; `application/octet-stream` for anything else. */
export function cleanContentType(value: string | undefined): string {
  const essence = (value ?? "").split(";")[0]!.trim().toLowerCase();
  return MEDIA_TYPE.test(essence) ? essence : "application/octet-stream";
}

/**
 * Types a browser may show in the page (`inline`) without running anything: images other than
 * SVG, audio, video, plain text and PDF (whose viewer runs apart from the page). Everything else,
 * HTML and SVG above all, is sent as a download.
 */
export function isSafeInline(contentType: string): boolean {
  if (contentType === "image/svg+xml") return false;
  return /^(image|audio|video)\//.test(contentType) || contentType === "text/plain" || contentType === "application/pdf";
}

/**
 * `Content-Disposition` for a stored name: an ASCII `filename` for old clients and the exact
 * name as RFC 8187 `filename*`; quotes, backslashes and line breaks cannot reach the header.
 */
export function contentDisposition(kind: "inline" | "attachment", filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
