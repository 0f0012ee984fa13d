/** Deepest nesting of arrays and objects accepted in a JSON body. Open WebUI's payloads stay far below. */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`, found by scanning the text
 * (brackets inside strings do not count) before it is parsed. A body nested thousands of levels
 * deep parses, but then overflows the stack of whatever walks it (serialising it for the
 * database, copying it into a plugin), so it is refused at the door instead.
 *
 * @example
 * exceedsJsonDepth('{"a":[1]}', 1); // true
 * exceedsJsonDepth('{"a":"[[["}', 1); // false
 */
export function exceedsJsonDepth(text: string, maxDepth: number = MAX_JSON_DEPTH): boolean {
  // Each level takes at least one opening character.
  if (text.length <= maxDepth) return false;
  let depth = 0;
  let isInString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (isInString) {
      if (code === BACKSLASH) index++;
      else if (code === QUOTE) isInString = false;
    } else if (code === QUOTE) {
      isInString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
