/** Most words of a query handed to the full-text search; the rest add little but cost. */
const MAX_SEARCH_WORDS = 32;

/**
 * The words of a query for full-text search: runs of letters, marks and digits, lower-cased,
 * each once, in order. Nothing else survives, so the words can be joined into FTS5's or
 * PostgreSQL's query syntax without escaping, and no query text can be a syntax error.
 *
 * @example
 * searchWords("What's my favourite colour?"); // ["what", "s", "my", "favourite", "colour"]
 */
export function searchWords(text: string): string[] {
  const words =
    text
      .normalize("NFC")
      .toLowerCase()
      .match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, MAX_SEARCH_WORDS);
}
