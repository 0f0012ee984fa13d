/** Most words of a query handed to the full-text search; the rest add little but cost. */
const MAX_SEARCH_WORDS = 32;

/**
 * English words too common to tell memories apart. PostgreSQL's `english` configuration drops
 * them itself; SQLite's FTS5 does not, and there a rare "the" would outrank the word that matters
 * ("Where are the bees?" finding "by the sea" before "keeps bees").
 */
const STOP_WORDS = new Set(
  (
    "a an and are as at be but by can could did do does for from had has have he her his how i if in into is it its " +
    "me my of on or our s she so than that the their them then there these they this those to was we were what when " +
    "where which who whom why will with would you your"
  ).split(" "),
);

/**
 * The words of a query for full-text search: runs of letters, marks and digits, lower-cased,
 * each once, in order, without common English words (unless nothing else is left). Nothing else
 * survives, so the words can be joined into FTS5's or PostgreSQL's query syntax without
 * escaping, and no query text can be a syntax error.
 *
 * @example
 * searchWords("What's my favourite colour?"); // ["favourite", "colour"]
 */
export function searchWords(text: string): string[] {
  const words = [
    ...new Set(
      text
        .normalize("NFC")
        .toLowerCase()
        .match(/[\p{L}\p{M}\p{N}]+/gu) ?? [],
    ),
  ];
  const telling = words.filter((word) => !STOP_WORDS.has(word));
  return (telling.length > 0 ? telling : words).slice(0, MAX_SEARCH_WORDS);
}
