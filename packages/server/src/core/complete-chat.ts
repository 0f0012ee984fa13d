import { SluiceError, type ChatCompletion, type RequestFacts, type StreamEvent } from "@sluice/sdk";
import type { ChatRequest } from "./chat-request.ts";
import { buildCompletion, TurnAccumulator } from "./completion-chunks.ts";
import type { TurnPorts, TurnUser } from "./ports.ts";
import { startChatTurn } from "./start-chat-turn.ts";

/** How deep plugins' model calls may nest when `PLUGIN_MODEL_CALL_MAX_DEPTH` is not set. */
export const DEFAULT_MODEL_CALL_DEPTH = 3;

/** A model call a plugin makes (`ctx.models.complete`). */
export interface CompleteChatInput {
  /** The user the calling plugin runs for: the call runs as them, with their access. */
  user: TurnUser;
  request: ChatRequest;
  /** Run the target model's filters (default), or skip them (Open WebUI's `bypass_filter`). */
  filters: boolean;
  /** How deep the calling plugin's own turn is nested (0 for a client's request). */
  depth: number;
  /** Aborted when the calling hook ends or its request goes away: stops the call. */
  signal: AbortSignal;
  requestFacts?: RequestFacts;
}

/** A finished answer, or with `stream: true` the answer's chunks as they come. */
export type CompleteChatResult = { completion: ChatCompletion } | { chunks: AsyncGenerator<StreamEvent, void> };

/**
 * Runs a plugin's chat request through the same pipeline as a client's (`startChatTurn`): the
 * model resolved for the user (a model they may not use is FORBIDDEN), its filters unless
 * `filters` is false, its tools, pipe or upstream. The call belongs to no chat: nothing is
 * saved, no title is made, events of the plugins it runs go nowhere and `ctx.call` fails in them.
 * Calls nest (a pipe calling a model whose pipe calls another); past `maxModelCallDepth` the
 * call fails with a PLUGIN_ERROR instead of looping.
 *
 * @example
 * const result = await completeChat(ports, { user, request: { model: "gpt-4o-mini", messages }, filters: true, depth: 0, signal });
 * if ("completion" in result) console.log(result.completion.choices[0].message.content);
 */
export async function completeChat(ports: TurnPorts, input: CompleteChatInput): Promise<CompleteChatResult> {
  const depth = input.depth + 1;
  const maxDepth = ports.settings.maxModelCallDepth ?? DEFAULT_MODEL_CALL_DEPTH;
  if (depth > maxDepth) {
    throw new SluiceError(
      "PLUGIN_ERROR",
      `ctx.models.complete: model calls of plugins are nested ${depth} deep, past the limit of ${maxDepth} ` +
        `(PLUGIN_MODEL_CALL_MAX_DEPTH); does a pipe call its own model, directly or through another?`,
    );
  }
  const { chat_id: _chat, id: _message, session_id: _session, background_tasks: _tasks, ...request } = input.request;
  const turn = await startChatTurn(ports, {
    user: input.user,
    request,
    signal: input.signal,
    requestFacts: input.requestFacts,
    depth,
    bypassFilters: !input.filters,
    unavailableModel: (id) => new SluiceError("FORBIDDEN", `ctx.models.complete: model "${id}" is not available to this user`),
  });
  if (request.stream) return { chunks: turn.chunks };
  const answer = new TurnAccumulator();
  for await (const chunk of turn.chunks) answer.add(chunk);
  return { completion: buildCompletion(turn.base, answer.content, answer.finishReason ?? "stop", answer.usage, answer.toolCalls) };
}
