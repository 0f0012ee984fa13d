/**
 * The `delta` of one streamed choice.
 *
 * @example
 * const delta: StreamDelta = { content: "Hel" };
 */
export interface StreamDelta {
  role?: string;
  content?: string | null;
  reasoning_content?: string | null;
  tool_calls?: Array<{ index: number; id?: string; type?: "function"; function?: { name?: string; arguments?: string } }>;
  [key: string]: unknown;
}

/**
 * One streamed chunk (an OpenAI `chat.completion.chunk`): what a filter's `stream` hook sees and
 * what a pipe may yield.
 *
 * @example
 * stream(event: StreamEvent) {
 *   const delta = event.choices[0]?.delta;
 *   if (delta?.content) delta.content = delta.content.replaceAll("colour", "color");
 *   return event;
 * }
 */
export interface StreamEvent {
  id?: string;
  object?: "chat.completion.chunk";
  created?: number;
  model?: string;
  choices: Array<{ index: number; delta: StreamDelta; finish_reason?: string | null; [key: string]: unknown }>;
  usage?: Record<string, unknown> | null;
  [key: string]: unknown;
}
