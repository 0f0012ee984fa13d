/** A piece of an answer's text: Markdown, or a collapsible block (Open WebUI's `<details>`, or a `<think>` block). */
export type ContentSegment =
  | { kind: "markdown"; text: string }
  | {
      kind: "details";
      /** `reasoning`, `tool_calls`, `code_interpreter`, … (Open WebUI's `type` attribute); `reasoning` for `<think>`. */
      type: string;
      /** The `<summary>` text, when the block has one. */
      summary: string | null;
      /** The block's body (Markdown), without the summary. */
      body: string;
      /** False while the block is still being written (no closing tag yet, or `done="false"`). */
      isDone: boolean;
      /** Seconds of thought, from `duration="N"`. */
      durationSeconds: number | null;
      attributes: Record<string, string>;
    };

const OPENING = /<details(\s[^>]*)?>|<(think|thinking|reason|reasoning)>/i;
const ATTRIBUTE = /([\w-]+)\s*=\s*"([^"]*)"/g;
const SUMMARY = /^\s*<summary>([\s\S]*?)<\/summary>\s*/i;

function attributesOf(text: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of (text ?? "").matchAll(ATTRIBUTE)) attributes[match[1]!.toLowerCase()] = unescapeHtml(match[2]!);
  return attributes;
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The index of the tag closing the block opened just before `from`, counting nested `<details>`; -1 while it is still open. */
function closingIndex(text: string, from: number, tag: string): { start: number; end: number } | null {
  const pattern = new RegExp(`<${tag}(?:\\s[^>]*)?>|</${tag}>`, "gi");
  pattern.lastIndex = from;
  let depth = 1;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    depth += match[0].startsWith("</") ? -1 : 1;
    if (depth === 0) return { start: match.index, end: match.index + match[0].length };
  }
  return null;
}

function pushMarkdown(segments: ContentSegment[], text: string): void {
  if (text.trim() !== "") segments.push({ kind: "markdown", text });
}

/**
 * Splits an answer into Markdown and collapsible blocks: Open WebUI's `<details type="…">`
 * blocks (reasoning, tool calls, code interpreter, with `<summary>` and `done`/`duration`
 * attributes) and `<think>…</think>` (also `<thinking>`, `<reason>`, `<reasoning>`) reasoning
 * written into the content. A block with no closing tag yet is still streaming.
 * Code fences are not special-cased: a `<details>` inside one is rare and stays readable.
 *
 * @example
 * splitRichContent("<think>Hmm</think>Hi");
 * // [{ kind: "details", type: "reasoning", body: "Hmm", isDone: true, … }, { kind: "markdown", text: "Hi" }]
 */
export function splitRichContent(text: string): ContentSegment[] {
  const segments: ContentSegment[] = [];
  let rest = text;
  for (let opening = OPENING.exec(rest); opening; opening = OPENING.exec(rest)) {
    pushMarkdown(segments, rest.slice(0, opening.index));
    const thinkTag = opening[2]?.toLowerCase();
    const tag = thinkTag ?? "details";
    const bodyStart = opening.index + opening[0].length;
    const closing = closingIndex(rest, bodyStart, tag);
    const inner = rest.slice(bodyStart, closing ? closing.start : undefined);
    const attributes = thinkTag ? {} : attributesOf(opening[1]);
    const summary = thinkTag ? null : (SUMMARY.exec(inner)?.[1]?.trim() ?? null);
    const body = thinkTag ? inner.trim() : inner.replace(SUMMARY, "").trim();
    const duration = Number.parseFloat(attributes.duration ?? "");
    segments.push({
      kind: "details",
      type: thinkTag ? "reasoning" : (attributes.type ?? ""),
      summary,
      body,
      isDone: closing !== null && attributes.done !== "false",
      durationSeconds: Number.isFinite(duration) ? duration : null,
      attributes,
    });
    rest = closing ? rest.slice(closing.end) : "";
  }
  pushMarkdown(segments, rest);
  return segments;
}
