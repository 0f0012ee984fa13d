import type { ServerSentEvent } from "../plugin-fetch.ts";

/**
 * Parses `text/event-stream` lines into events as the HTML standard does: `data` lines are
 * joined with `\n`, `event` names the event (default `"message"`), `id` is remembered across
 * events, comments (`:`) and `retry` are skipped, a blank line dispatches, and an event without
 * data is not dispatched (nor is one cut off by the end of the stream).
 *
 * @example
 * for await (const event of readServerSentEvents(readLines(response.body))) {
 *   if (event.data === "[DONE]") break;
 * }
 */
export async function* readServerSentEvents(lines: AsyncIterable<string>): AsyncGenerator<ServerSentEvent, void, undefined> {
  let data: string[] = [];
  let event = "";
  let id = "";
  for await (const line of lines) {
    if (line === "") {
      if (data.length > 0) yield { event: event || "message", data: data.join("\n"), id };
      data = [];
      event = "";
      continue;
    }
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id" && !value.includes("\0")) id = value;
  }
}
