/** Blockquote markers, list markers and indentation at the start of a line. */
const CONTAINER_PREFIX = /^(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t])))*[ \t]*/;
const LIST_MARKER = /[-*+]|\d{1,9}[.)]/g;
const FENCE_START = /^(`{3,}|~{3,})/;

interface Fence {
  character: string;
  length: number;
}

function containerPrefixOf(line: string): string {
  return CONTAINER_PREFIX.exec(line)?.[0] ?? "";
}

function isContainerOnly(text: string): boolean {
  return containerPrefixOf(text).length === text.length;
}

/** The prefix that puts a new line in the same blockquote or list item as `line`. */
function continuationPrefixOf(line: string): string {
  return containerPrefixOf(line).replace(LIST_MARKER, (marker) => " ".repeat(marker.length));
}

function openingFenceOf(line: string): Fence | undefined {
  const rest = line.slice(containerPrefixOf(line).length);
  const marker = FENCE_START.exec(rest)?.[1];
  if (!marker) return undefined;
  // "```a```" on one line is a code span, not a fence.
  if (marker[0] === "`" && rest.slice(marker.length).includes("`")) return undefined;
  return { character: marker[0]!, length: marker.length };
}

function closesFence(line: string, fence: Fence): boolean {
  const rest = line.slice(containerPrefixOf(line).length).trimEnd();
  return rest.length >= fence.length && [...rest].every((character) => character === fence.character);
}

function runLength(text: string, index: number, character: string): number {
  let end = index;
  while (text[end] === character) end += 1;
  return end - index;
}

/** Where the next run of exactly `length` times `character` starts, from `from` on; -1 if none. */
function findRun(text: string, from: number, character: string, length: number): number {
  let index = text.indexOf(character, from);
  while (index !== -1) {
    const found = runLength(text, index, character);
    if (found === length) return index;
    index = text.indexOf(character, index + found);
  }
  return -1;
}

/**
 * Rewrites the display math `opening content closing` as remark-math reads it reliably:
 * alone on its lines (`$$`, the content, `$$`) when it stands alone or spans lines, else `$$content$$`
 * inside the line. remark-math takes a `$$` starting a line as a block whose end is a line of
 * `$$`, so `$$a` + newline + `b$$` would swallow the rest of the message.
 */
function displayMath(
  text: string,
  start: number,
  contentStart: number,
  closing: number,
  closingEnd: number,
): { math: string; end: number } {
  const content = text.slice(contentStart, closing);
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const before = text.slice(lineStart, start);
  const lineEnd = text.indexOf("\n", closingEnd) === -1 ? text.length : text.indexOf("\n", closingEnd);
  const after = text.slice(closingEnd, lineEnd);
  const lines = content.split("\n");
  const isAlone = isContainerOnly(before) && after.trim() === "";
  if (lines.length === 1 && !isAlone) return { math: `$$${content.trim()}$$`, end: closingEnd };

  const prefix = continuationPrefixOf(before);
  let math = isContainerOnly(before) ? "$$" : `\n${prefix}$$`;
  const first = lines[0]!.trim();
  if (first !== "") math += `\n${prefix}${first}`;
  let closingPrefix = prefix;
  for (const [position, line] of lines.slice(1).entries()) {
    const isLast = position === lines.length - 2;
    if (isLast && isContainerOnly(line)) closingPrefix = line;
    else math += `\n${line}`;
  }
  math += `\n${closingPrefix}$$`;
  if (after.trim() === "") return { math, end: closingEnd };
  return { math: `${math}\n${prefix}`, end: closingEnd + (after.length - after.trimStart().length) };
}

/**
 * Whether `$…$` from `start` to `closing` is math by Pandoc's rule: no space just inside either
 * dollar, and no digit right after the closing one, so "$5 and $10" stays prices.
 */
function isTextMath(text: string, start: number, closing: number): boolean {
  const isSpace = (character: string | undefined) => character === undefined || /\s/.test(character);
  return !isSpace(text[start + 1]) && !isSpace(text[closing - 1]) && !/\d/.test(text[closing + 1] ?? "");
}

/** One paragraph-like run of lines (no blank line, no code fence). */
function normalizeProse(text: string): string {
  let result = "";
  let index = 0;
  while (index < text.length) {
    const character = text[index]!;
    if (character === "`") {
      const length = runLength(text, index, "`");
      const closing = findRun(text, index + length, "`", length);
      const end = closing === -1 ? index + length : closing + length;
      result += text.slice(index, end);
      index = end;
    } else if (character === "\\" && (text[index + 1] === "(" || text[index + 1] === "[")) {
      const isDisplay = text[index + 1] === "[";
      const closing = text.indexOf(isDisplay ? "\\]" : "\\)", index + 2);
      const content = closing === -1 ? "" : text.slice(index + 2, closing);
      if (content.trim() === "") {
        result += text.slice(index, index + 2);
        index += 2;
      } else if (isDisplay) {
        const display = displayMath(text, index, index + 2, closing, closing + 2);
        result += display.math;
        index = display.end;
      } else {
        result += `$${content.trim()}$`;
        index = closing + 2;
      }
    } else if (character === "\\") {
      result += text.slice(index, index + 2);
      index += 2;
    } else if (character === "$") {
      const length = runLength(text, index, "$");
      const closing = length <= 2 ? findRun(text, index + length, "$", length) : -1;
      if (length === 2 && closing !== -1 && text.slice(index + 2, closing).trim() !== "") {
        const display = displayMath(text, index, index + 2, closing, closing + 2);
        result += display.math;
        index = display.end;
      } else if (length === 1 && closing !== -1 && isTextMath(text, index, closing)) {
        result += text.slice(index, closing + 1);
        index = closing + 1;
      } else if (length === 1) {
        result += "\\$";
        index += 1;
      } else {
        result += text.slice(index, index + length);
        index += length;
      }
    } else {
      result += character;
      index += 1;
    }
  }
  return result;
}

/**
 * Prepares a model's Markdown for remark-math: `\(…\)` becomes `$…$` and `\[…\]` becomes
 * `$$…$$` (Markdown would otherwise eat their backslashes), display math that spans lines is put
 * on lines of its own, and a `$` that cannot be math by Pandoc's rule is escaped, so prices stay
 * text. Code spans and fenced code blocks are left as they are.
 *
 * @example
 * normalizeMathDelimiters("area \\(\\pi r^2\\), for $5") // "area $\\pi r^2$, for \\$5"
 */
export function normalizeMathDelimiters(markdown: string): string {
  const output: string[] = [];
  let prose: string[] = [];
  let fence: Fence | undefined;
  const flushProse = () => {
    if (prose.length > 0) output.push(normalizeProse(prose.join("\n")));
    prose = [];
  };
  for (const line of markdown.split("\n")) {
    if (fence) {
      output.push(line);
      if (closesFence(line, fence)) fence = undefined;
      continue;
    }
    fence = openingFenceOf(line);
    if (fence || /^[\s>]*$/.test(line)) {
      flushProse();
      output.push(line);
    } else {
      prose.push(line);
    }
  }
  flushProse();
  return output.join("\n");
}
