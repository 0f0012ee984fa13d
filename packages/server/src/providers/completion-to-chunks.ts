import type { ChatCompletion, StreamEvent } from "@sluice/sdk";

/**
 * The chunks a streaming upstream would have sent for `completion`: per choice, one chunk with
 * the whole message as its delta (tool calls get their `index`) and one with the
 * `finish_reason`; then one usage-only chunk when the completion has `usage`. Used when an
 * upstream ignores `stream: true` and answers JSON.
 *
 * @example
 * for (const chunk of completionToChunks(await response.json())) yield chunk;
 */
export function completionToChunks(completion: ChatCompletion): StreamEvent[] {
  const common: Omit<StreamEvent, "choices"> = {
    id: completion.id,
    object: "chat.completion.chunk",
    created: completion.created,
    model: completion.model,
  };
  if (completion.system_fingerprint !== undefined) common.system_fingerprint = completion.system_fingerprint;
  const chunks: StreamEvent[] = [];
  const choices = Array.isArray(completion.choices) ? completion.choices : [];
  for (const [position, choice] of choices.entries()) {
    const index = typeof choice.index === "number" ? choice.index : position;
    const { role, content, tool_calls: toolCalls, ...rest } = choice.message ?? { role: "assistant", content: null };
    const delta: StreamEvent["choices"][number]["delta"] = { ...rest, role: role ?? "assistant", content: content as string | null };
    if (Array.isArray(toolCalls) && toolCalls.length > 0) {
      delta.tool_calls = toolCalls.map((call, callIndex) => ({ index: callIndex, ...call }));
    }
    chunks.push({ ...common, choices: [{ index, delta, finish_reason: null }] });
    chunks.push({ ...common, choices: [{ index, delta: {}, finish_reason: choice.finish_reason ?? "stop" }] });
  }
  if (completion.usage) chunks.push({ ...common, choices: [], usage: completion.usage });
  return chunks;
}
