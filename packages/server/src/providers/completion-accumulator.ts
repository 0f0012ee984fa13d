import type { ChatCompletion, ChatMessage, StreamDelta, StreamEvent, ToolCall } from "@sluice/sdk";

type ToolCallDelta = NonNullable<StreamDelta["tool_calls"]>[number];

interface ChoiceState {
  role: string;
  content: string;
  hasContent: boolean;
  reasoning: string;
  toolCalls: Map<number, ToolCall>;
  finishReason: string | null;
}

/**
 * Builds the complete answer out of streamed chunks: concatenates content and reasoning, merges
 * tool-call deltas by their `index` (id, name, argument pieces), keeps the finish reason and the
 * last usage.
 *
 * @example
 * const accumulator = new CompletionAccumulator();
 * for await (const chunk of upstream.streamChat(model, body)) accumulator.add(chunk);
 * const toolCalls = accumulator.toCompletion().choices[0]?.message.tool_calls ?? [];
 */
export class CompletionAccumulator {
  #id: string | undefined;
  #created: number | undefined;
  #model: string | undefined;
  #usage: Record<string, unknown> | undefined;
  #choices = new Map<number, ChoiceState>();

  add(chunk: StreamEvent): void {
    if (typeof chunk.id === "string" && chunk.id) this.#id ??= chunk.id;
    if (typeof chunk.created === "number") this.#created ??= chunk.created;
    if (typeof chunk.model === "string" && chunk.model) this.#model ??= chunk.model;
    if (chunk.usage) this.#usage = chunk.usage;
    for (const choice of chunk.choices) {
      const state = this.#choice(choice.index);
      const delta = choice.delta;
      if (typeof delta.role === "string" && delta.role) state.role = delta.role;
      if (typeof delta.content === "string") {
        state.content += delta.content;
        state.hasContent ||= delta.content !== "";
      }
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (typeof reasoning === "string") state.reasoning += reasoning;
      for (const [position, call] of (delta.tool_calls ?? []).entries()) this.#addToolCall(state, call, position);
      if (choice.finish_reason) state.finishReason = choice.finish_reason;
    }
  }

  /** The answer so far as one OpenAI chat completion. */
  toCompletion(): ChatCompletion {
    const choices = [...this.#choices.entries()]
      .sort(([left], [right]) => left - right)
      .map(([index, state]) => {
        const toolCalls = [...state.toolCalls.entries()].sort(([left], [right]) => left - right).map(([, call]) => call);
        const message: ChatMessage = {
          role: state.role,
          content: state.hasContent || toolCalls.length === 0 ? state.content : null,
        };
        if (state.reasoning) message.reasoning_content = state.reasoning;
        if (toolCalls.length > 0) message.tool_calls = toolCalls;
        return { index, message, finish_reason: state.finishReason };
      });
    const completion: ChatCompletion = {
      id: this.#id ?? `chatcmpl-${crypto.randomUUID()}`,
      object: "chat.completion",
      created: this.#created ?? Math.floor(Date.now() / 1000),
      model: this.#model ?? "",
      choices,
    };
    if (this.#usage) completion.usage = this.#usage;
    return completion;
  }

  #choice(index: number): ChoiceState {
    let state = this.#choices.get(index);
    if (!state) {
      state = { role: "assistant", content: "", hasContent: false, reasoning: "", toolCalls: new Map(), finishReason: null };
      this.#choices.set(index, state);
    }
    return state;
  }

  #addToolCall(state: ChoiceState, delta: ToolCallDelta, position: number): void {
    // Some upstreams omit `index`; their calls arrive whole, one per array entry.
    const index = typeof delta.index === "number" ? delta.index : position;
    let call = state.toolCalls.get(index);
    if (!call) {
      call = { id: "", type: "function", function: { name: "", arguments: "" } };
      state.toolCalls.set(index, call);
    }
    if (typeof delta.id === "string" && delta.id) call.id = delta.id;
    const name = delta.function?.name;
    // Names usually come once; a few upstreams repeat the whole name in every delta.
    if (typeof name === "string" && name !== call.function.name) call.function.name += name;
    const pieces = delta.function?.arguments;
    if (typeof pieces === "string") call.function.arguments += pieces;
  }
}

/** Reads a whole chunk stream into one chat completion. */
export async function collectCompletion(chunks: AsyncIterable<StreamEvent>): Promise<ChatCompletion> {
  const accumulator = new CompletionAccumulator();
  for await (const chunk of chunks) accumulator.add(chunk);
  return accumulator.toCompletion();
}
