/** One event of a `text/event-stream`. */
export interface ServerSentEvent {
  /** The `event:` field; `"message"` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` seen so far, if any. */
  id?: string;
}

/** Longest line accepted: an upstream that never ends a line must not fill the server's memory. */
const DEFAULT_MAX_LINE_CHARACTERS = 16 * 1024 * 1024;

/** Collects the fields of the event being read until a blank line dispatches it. */
class EventBuilder {
  #event = "";
  #data: string[] = [];
  #id: string | undefined;

  /** Takes one line (without its line break); returns an event when the line completes one. */
  line(line: string): ServerSentEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
    else if (field === "id" && !value.includes("\0")) this.#id = value;
    return undefined;
  }

  /** Ends the current event; blank lines with nothing before them (keep-alives) give nothing. */
  dispatch(): ServerSentEvent | undefined {
    const data = this.#data;
    const event = this.#event || "message";
    this.#data = [];
    this.#event = "";
    if (data.length === 0) return undefined;
    return this.#id === undefined ? { event, data: data.join("\n") } : { event, data: data.join("\n"), id: this.#id };
  }
}

/**
 * Reads server-sent events from a byte (or text) stream, e.g. a fetch `Response.body`.
 * Follows the WHATWG rules (LF, CRLF or CR line breaks, `:` comments, multi-line `data:`, a
 * leading BOM) and is lenient where upstreams are sloppy: a last event that is not followed by a
 * blank line, or whose last line has no line break, is still delivered.
 *
 * @example
 * for await (const event of parseServerSentEvents(response.body!)) {
 *   if (event.data === "[DONE]") break;
 *   console.log(JSON.parse(event.data));
 * }
 */
export async function* parseServerSentEvents(
  source: AsyncIterable<Uint8Array | string>,
  options: { maxLineCharacters?: number } = {},
): AsyncGenerator<ServerSentEvent> {
  const maxLineCharacters = options.maxLineCharacters ?? DEFAULT_MAX_LINE_CHARACTERS;
  const decoder = new TextDecoder();
  const builder = new EventBuilder();
  const lineBreak = /\r\n|\r|\n/g;
  let buffer = "";
  let isFirstText = true;
  const take = (text: string): string => {
    if (isFirstText && text !== "") {
      isFirstText = false;
      if (text.startsWith("\uFEFF")) return text.slice(1);
    }
    return text;
  };

  for await (const piece of source) {
    // Only the new text can hold a line break (and a CR kept back at the end of the old).
    const scanFrom = Math.max(0, buffer.length - 1);
    buffer += take(typeof piece === "string" ? piece : decoder.decode(piece, { stream: true }));
    let start = 0;
    lineBreak.lastIndex = scanFrom;
    for (let match = lineBreak.exec(buffer); match; match = lineBreak.exec(buffer)) {
      // A CR at the very end may be the first half of a CRLF split across two pieces.
      if (match[0] === "\r" && match.index === buffer.length - 1) break;
      const event = builder.line(buffer.slice(start, match.index));
      start = match.index + match[0].length;
      if (event) yield event;
    }
    buffer = buffer.slice(start);
    if (buffer.length > maxLineCharacters) throw new Error(`a line of the event stream is longer than ${maxLineCharacters} characters`);
  }

  buffer += take(decoder.decode());
  const lines = buffer.split(lineBreak);
  for (const line of lines) {
    const event = builder.line(line);
    if (event) yield event;
  }
  const last = builder.dispatch();
  if (last) yield last;
}
