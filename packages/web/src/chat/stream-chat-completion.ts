import { sendRequest } from "../api/api-client.ts";
import { detailOf } from "../api/api-error.ts";
import { readServerSentEvents } from "./read-server-sent-events.ts";

/** What one SSE chunk of `/api/chat/completions` means for the answer. */
export type CompletionUpdate =
  | { type: "delta"; content: string }
  | { type: "reasoning"; content: string }
  | { type: "usage"; usage: Record<string, unknown> }
  | { type: "error"; detail: string; pluginId?: string; hook?: string };

/**
 * Reads one `data:` payload of the completion stream: content and reasoning deltas, usage, or an error chunk
 * (`{error: {detail, plugin_id?, hook?}}`, or OpenAI's `{error: {message}}`). `[DONE]` and
 * unparsable payloads give nothing.
 *
 * @example
 * parseCompletionChunk('{"choices":[{"delta":{"content":"Hi"}}]}'); // [{ type: "delta", content: "Hi" }]
 */
export function parseCompletionChunk(data: string): CompletionUpdate[] {
  if (data === "[DONE]") return [];
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch {
    return [];
  }
  if (typeof chunk !== "object" || chunk === null) return [];
  const { choices, usage, error } = chunk as { choices?: unknown; usage?: unknown; error?: unknown };
  const updates: CompletionUpdate[] = [];
  if (error !== undefined && error !== null) {
    const fields = (typeof error === "object" ? error : {}) as { plugin_id?: unknown; hook?: unknown };
    updates.push({
      type: "error",
      detail: detailOf(
        { detail: typeof error === "string" ? error : ((error as { detail?: unknown }).detail ?? error) },
        "The answer stopped with an error",
      ),
      ...(typeof fields.plugin_id === "string" ? { pluginId: fields.plugin_id } : {}),
      ...(typeof fields.hook === "string" ? { hook: fields.hook } : {}),
    });
  }
  if (Array.isArray(choices)) {
    for (const choice of choices) {
      const delta = (choice as { delta?: { content?: unknown; reasoning_content?: unknown; reasoning?: unknown } } | null)?.delta;
      const reasoning = delta?.reasoning_content ?? delta?.reasoning;
      if (typeof reasoning === "string" && reasoning !== "") updates.push({ type: "reasoning", content: reasoning });
      const content = delta?.content;
      if (typeof content === "string" && content !== "") updates.push({ type: "delta", content });
    }
  }
  if (typeof usage === "object" && usage !== null) updates.push({ type: "usage", usage: usage as Record<string, unknown> });
  return updates;
}

/**
 * Posts a streaming chat request and yields what each chunk means. An HTTP error (the model is
 * unknown, an inlet filter refused the turn…) throws an ApiError with the server's `detail`;
 * errors after the answer started come as `error` updates.
 */
export async function* streamChatCompletion(body: Record<string, unknown>, signal?: AbortSignal): AsyncGenerator<CompletionUpdate> {
  const response = await sendRequest("/api/chat/completions", {
    body: { ...body, stream: true },
    signal,
    headers: { accept: "text/event-stream" },
  });
  if (!response.body) return;
  if (!response.headers.get("content-type")?.includes("text/event-stream")) {
    // An upstream that ignores `stream`: one JSON completion.
    const completion = (await response.json()) as { choices?: Array<{ message?: { content?: unknown } }>; usage?: Record<string, unknown> };
    const content = completion.choices?.[0]?.message?.content;
    if (typeof content === "string" && content) yield { type: "delta", content };
    if (completion.usage) yield { type: "usage", usage: completion.usage };
    return;
  }
  for await (const data of readServerSentEvents(response.body)) {
    if (data === "[DONE]") return;
    yield* parseCompletionChunk(data);
  }
}
