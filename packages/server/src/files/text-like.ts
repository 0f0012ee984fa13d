/** Types whose bytes are text, besides `text/*`. */
const TEXT_TYPES = new Set([
  "application/json",
  "application/ld+json",
  "application/xml",
  "application/javascript",
  "application/ecmascript",
  "application/typescript",
  "application/x-yaml",
  "application/yaml",
  "application/toml",
  "application/x-sh",
  "application/sql",
  "application/graphql",
  "application/x-ndjson",
  "application/csv",
  "image/svg+xml",
]);

/** Extensions of text files that browsers often upload as `application/octet-stream`. */
const TEXT_EXTENSIONS = new Set(
  "txt md markdown csv tsv json jsonl ndjson xml yaml yml toml ini cfg conf log html htm css js mjs cjs ts tsx jsx py rb go rs java kt c h cpp hpp cs php sh bash zsh sql graphql svg tex rst org env properties gradle swift scala r lua pl dart vue svelte".split(
    " ",
  ),
);

/**
 * Whether a stored file is text a model can read as it is: `text/*`, JSON, XML, YAML and the
 * like, `+json`/`+xml` types, or an untyped file with a text file's extension.
 *
 * @example
 * isTextLike("application/octet-stream", "notes.md"); // true
 */
export function isTextLike(contentType: string, name: string): boolean {
  if (contentType.startsWith("text/") || TEXT_TYPES.has(contentType) || /\+(json|xml)$/.test(contentType)) return true;
  if (contentType !== "application/octet-stream") return false;
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return extension !== undefined && TEXT_EXTENSIONS.has(extension);
}

/** Whether a stored file is a PDF, by its type or (untyped) its name. */
export function isPdf(contentType: string, name: string): boolean {
  return contentType === "application/pdf" || (contentType === "application/octet-stream" && /\.pdf$/i.test(name));
}
