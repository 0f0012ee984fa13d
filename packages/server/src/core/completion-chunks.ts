import type { ChatCompletion, StreamEvent, ToolCall } from "@sluice/sdk";

/** The fields every chunk of one answer shares. */
export interface ChunkBase {
  id: string;
  model: string;
  created: number;
}

export function contentChunk(base: ChunkBase, content: string): StreamEvent {
  return {
    id: base.id,
    object: "chat.completion.chunk",
    created: base.created,
    model: base.model,
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  };
}

export function roleChunk(base: ChunkBase): StreamEvent {
  return {
    id: base.id,
    object: "chat.completion.chunk",
    created: base.created,
    model: base.model,
    choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
  };
}

export function finishChunk(base: ChunkBase, finishReason: string, usage?: Record<string, unknown>): StreamEvent {
  return {
    id: base.id,
    object: "chat.completion.chunk",
    created: base.created,
    model: base.model,
    choices: [{ index: 0, delta: {}, finish_reason: finishReason }],
    ...(usage ? { usage } : {}),
  };
}

function isStreamEvent(value: unknown): value is StreamEvent {
  const choices = (value as { choices?: unknown })?.choices;
  return Array.isArray(choices) && (choices.length === 0 || typeof (choices[0] as { delta?: unknown })?.delta === "object");
}

function isCompletion(value: unknown): value is ChatCompletion {
  const choices = (value as { choices?: unknown })?.choices;
  return Array.isArray(choices) && choices.length > 0 && typeof (choices[0] as { message?: unknown })?.message === "object";
}

/** Gives a chunk from a pipe or an upstream this answer's id and model, keeping everything else. */
function stamped(chunk: StreamEvent, base: ChunkBase): StreamEvent {
  return { ...chunk, id: base.id, object: "chat.completion.chunk", created: chunk.created ?? base.created, model: base.model };
}

/**
 * Turns what a pipe returned or yielded into OpenAI chunks: a string is content;
 * a chunk passes (stamped with this answer's id and model); a whole completion becomes its content,
 * tool calls and finish reason; an SSE line `data: {…}` is parsed; `{content}` is content.
 */
export function toStreamEvents(output: unknown, base: ChunkBase): StreamEvent[] {
  if (output === null || output === undefined) return [];
  if (typeof output === "string") {
    const trimmed = output.trim();
    if (trimmed.startsWith("data:")) {
      const payload = trimmed.slice(5).trim();
      if (payload === "[DONE]" || payload === "") return [];
      try {
        return toStreamEvents(JSON.parse(payload), base);
      } catch {
        return [contentChunk(base, output)];
      }
    }
    return output === "" ? [] : [contentChunk(base, output)];
  }
  if (isStreamEvent(output)) return [stamped(output, base)];
  if (isCompletion(output)) {
    const choice = output.choices[0]!;
    const message = choice.message;
    const chunks: StreamEvent[] = [];
    const text = typeof message.content === "string" ? message.content : "";
    const toolCalls = (message.tool_calls ?? []).map((call, index) => ({ ...call, index }));
    if (text || toolCalls.length > 0) {
      chunks.push({
        ...contentChunk(base, text),
        choices: [
          {
            index: 0,
            delta: { role: "assistant", content: text, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
            finish_reason: null,
          },
        ],
      });
    }
    chunks.push(finishChunk(base, choice.finish_reason ?? "stop", output.usage));
    return chunks;
  }
  if (typeof output === "object" && typeof (output as { content?: unknown }).content === "string") {
    return [contentChunk(base, (output as { content: string }).content)];
  }
  return [contentChunk(base, JSON.stringify(output))];
}

interface PartialToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Collects one model turn from its chunks: text, tool calls (assembled by index), finish reason, usage. */
export class TurnAccumulator {
  content = "";
  finishReason: string | null = null;
  usage: Record<string, unknown> | undefined;
  readonly #toolCalls = new Map<number, PartialToolCall>();

  add(chunk: StreamEvent): void {
    if (chunk.usage) this.usage = chunk.usage as Record<string, unknown>;
    for (const choice of chunk.choices ?? []) {
      if (choice.index !== undefined && choice.index !== 0) continue;
      const delta = choice.delta ?? {};
      if (typeof delta.content === "string") this.content += delta.content;
      for (const call of delta.tool_calls ?? []) {
        const index = typeof call.index === "number" ? call.index : this.#toolCalls.size;
        const current = this.#toolCalls.get(index) ?? { id: "", name: "", arguments: "" };
        if (call.id) current.id = call.id;
        if (call.function?.name) current.name += call.function.name;
        if (call.function?.arguments) current.arguments += call.function.arguments;
        this.#toolCalls.set(index, current);
      }
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
  }

  get toolCalls(): ToolCall[] {
    return [...this.#toolCalls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({
        id: call.id || `call_${index}`,
        type: "function" as const,
        function: { name: call.name, arguments: call.arguments },
      }));
  }
}

/** Adds up token usage of several model turns. */
export function addUsage(
  total: Record<string, unknown> | undefined,
  next: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!next) return total;
  if (!total) return { ...next };
  const sum: Record<string, unknown> = { ...total };
  for (const [key, value] of Object.entries(next)) {
    sum[key] = typeof value === "number" && typeof sum[key] === "number" ? (sum[key] as number) + value : value;
  }
  return sum;
}

/** The non-streaming answer built from what was streamed. */
export function buildCompletion(
  base: ChunkBase,
  content: string,
  finishReason: string,
  usage?: Record<string, unknown>,
  toolCalls: ToolCall[] = [],
): ChatCompletion {
  return {
    id: base.id,
    object: "chat.completion",
    created: base.created,
    model: base.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: finishReason,
      },
    ],
    ...(usage ? { usage } : {}),
  };
}
