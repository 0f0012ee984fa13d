import { randomUUID } from "node:crypto";
import { SluiceError, type RequestFacts, type StreamEvent } from "@sluice/sdk";
import type { AppServices } from "../services.ts";
import type { RequestUser } from "../http/request-user.ts";
import { AnswerText } from "../core/answer-text.ts";
import { addUsage, contentChunk, finishChunk, TurnAccumulator, type ChunkBase } from "../core/completion-chunks.ts";
import { findChat } from "../db/chats-repository.ts";
import { requestEvents } from "./request-events.ts";
import { AnswerLength } from "./answer-length.ts";
import { callModel } from "./call-model.ts";
import { modelBody, type ChatRequest } from "./chat-request.ts";
import { openStreamChain, resolveFilters, runBodyChain, type RequestFilter } from "./filter-chain.ts";
import { resolveModel, type CatalogModel } from "./model-catalog.ts";
import { PluginCaller, type PluginEvents } from "./plugin-caller.ts";
import { finishAssistantMessage, type FinishedTurn } from "./finish-assistant-message.ts";
import { isInterrupted, isStopRequested } from "./chat-tasks.ts";
import { resolveTools, type ToolSet } from "./tool-set.ts";
import { sendPipelineEvent } from "./send-pipeline-event.ts";

export interface ChatCompletionInput {
  user: RequestUser;
  request: ChatRequest;
  /** Aborted when the client goes away: stops the upstream request, the pipe and the tool loop. */
  signal: AbortSignal;
  /** A background task (`title_generation`, …), passed to plugins as `ctx.metadata.task`. */
  task?: string;
  /** The HTTP request that started the turn, as plugins see it (`ctx.request`). */
  requestFacts?: RequestFacts;
  /** Called when a turn of a stored chat ended well (title generation listens here). */
  onFinished?: (turn: FinishedTurn) => void;
}

export interface ChatCompletionRun {
  model: CatalogModel;
  base: ChunkBase;
  /** The answer's chunks, after the stream filters; ends after the message is saved and the outlet ran. Throws a SluiceError mid-stream. */
  chunks: AsyncGenerator<StreamEvent, void>;
}

/** How often, at most, a UI request gets a `chat:completion` snapshot while streaming. */
const SNAPSHOT_INTERVAL_MS = 50;

/** Removes what the client must not act on: tool calls the server runs, finish reasons and usage of single turns. */
function forwardable(chunk: StreamEvent, tools: ToolSet): StreamEvent | null {
  const choices = (chunk.choices ?? []).map((choice) => {
    const { tool_calls: toolCalls, ...delta } = choice.delta ?? {};
    const keptCalls = tools.specs.length > 0 ? [] : (toolCalls ?? []);
    return { ...choice, delta: keptCalls.length ? { ...delta, tool_calls: keptCalls } : delta, finish_reason: null };
  });
  const hasContent = choices.some((choice) =>
    Object.values(choice.delta).some((value) => value !== undefined && value !== null && value !== ""),
  );
  if (!hasContent) return null;
  const { usage: _usage, ...rest } = chunk;
  return { ...rest, choices };
}

/**
 * Runs one chat request through the pipeline (DESIGN.md "Chat pipeline"): model, filters, inlet,
 * tools, the model or pipe with stream filters and the tool loop, then saving and outlet.
 * Everything up to the first chunk happens before this resolves, so those errors become HTTP
 * errors; later ones are thrown by `chunks`.
 */
export async function startChatCompletion(services: AppServices, input: ChatCompletionInput): Promise<ChatCompletionRun> {
  const { user, request, signal } = input;
  const chatId = request.chat_id ?? "";
  if (chatId && !chatId.startsWith("local:") && !(await findChat(services.db, user.id, chatId))) {
    throw new SluiceError("NOT_FOUND", `Chat not found: ${chatId}`);
  }
  const answerText = new AnswerText();
  const events = followAnswerText(
    requestEvents(services, user, { chatId: request.chat_id, messageId: request.id, sessionId: request.session_id }),
    answerText,
  );
  const metadata: Record<string, unknown> = {
    user_id: user.id,
    chat_id: chatId,
    message_id: request.id ?? null,
    session_id: request.session_id ?? null,
    filter_ids: request.filter_ids ?? [],
    tool_ids: request.tool_ids ?? [],
    files: request.files ?? [],
    features: request.features ?? {},
    model: request.model,
    task: input.task ?? null,
  };
  const caller = new PluginCaller(services, {
    user,
    metadata,
    events,
    signal,
    messages: request.messages,
    files: request.files ?? [],
    requestFacts: input.requestFacts,
  });
  try {
    return await prepareRun(services, input, caller, answerText);
  } catch (error) {
    caller.release();
    throw error;
  }
}

/** Events that change the answer's text (`message`, `replace`) also change what will be saved, once they are delivered. */
function followAnswerText(events: PluginEvents, answerText: AnswerText): PluginEvents {
  return {
    ...events,
    emit: async (event, origin) => {
      await events.emit(event, origin);
      answerText.applyEvent(event);
    },
  };
}

async function prepareRun(
  services: AppServices,
  input: ChatCompletionInput,
  caller: PluginCaller,
  answerText: AnswerText,
): Promise<ChatCompletionRun> {
  const { request, signal } = input;
  const model = await resolveModel(services, caller, request.model);
  const modelInfo = {
    id: model.id,
    name: model.name,
    owned_by: model.owned_by,
    ...(model.row ? { info: { meta: model.row.meta, params: model.row.params } } : {}),
  };
  caller.scope.model = modelInfo;

  const filters = await resolveFilters(services, caller, model.settings.filterIds, request.filter_ids ?? []);
  let body = applyModelParams(modelBody(request), model.row?.params);
  body = await runBodyChain(caller, filters, "inlet", body);
  if (!Array.isArray(body.messages)) throw new SluiceError("PLUGIN_ERROR", "After the inlet filters the body has no messages list");

  const tools = await resolveTools(services, caller, [...(request.tool_ids ?? []), ...model.settings.toolIds]);
  if (tools.specs.length > 0) body = { ...body, tools: [...((body.tools as unknown[]) ?? []), ...tools.specs] };

  const base: ChunkBase = { id: `chatcmpl-${randomUUID()}`, model: model.id, created: Math.floor(Date.now() / 1000) };
  const chunks = runTurns(services, { caller, model, filters, tools, body, base, signal, request, input, answerText });
  // Pull the first chunk now: an unknown upstream model or a pipe that throws at once is an HTTP error.
  const first = await chunks.next();
  return { model, base, chunks: prepend(first, chunks) };
}

/** Settings Open WebUI keeps in a model's params that are not request fields. */
const NON_REQUEST_PARAMS = new Set(["system", "function_calling", "stream_response", "stream_delta_chunk_size", "reasoning_tags"]);

/**
 * A model row's `params` (a custom model's settings): its `system` prompt goes first in the
 * system message, and its request fields (temperature, max_tokens, …) apply unless the request
 * set them itself.
 */
export function applyModelParams<Body extends Record<string, unknown> & { messages: Record<string, unknown>[] }>(
  body: Body,
  params: Record<string, unknown> | undefined,
): Body {
  if (!params) return body;
  const next: Record<string, unknown> = { ...body };
  for (const [key, value] of Object.entries(params)) {
    if (!NON_REQUEST_PARAMS.has(key) && next[key] === undefined && value !== null && value !== undefined) next[key] = value;
  }
  const system = typeof params.system === "string" ? params.system.trim() : "";
  if (system) {
    const [first, ...rest] = body.messages;
    next.messages =
      first?.role === "system" && typeof first.content === "string"
        ? [{ ...first, content: `${system}\n\n${first.content}` }, ...rest]
        : [{ role: "system", content: system }, ...body.messages];
  }
  return next as Body;
}

async function* prepend<T>(first: IteratorResult<T, void>, rest: AsyncGenerator<T, void>): AsyncGenerator<T, void> {
  if (first.done) return;
  yield first.value;
  yield* rest;
}

interface TurnState {
  caller: PluginCaller;
  model: CatalogModel;
  filters: RequestFilter[];
  tools: ToolSet;
  body: Record<string, unknown> & { messages: Record<string, unknown>[] };
  base: ChunkBase;
  signal: AbortSignal;
  request: ChatRequest;
  input: ChatCompletionInput;
  /** What is saved: the model's text with plugins' `message` / `replace` events in between. */
  answerText: AnswerText;
}

async function* runTurns(services: AppServices, state: TurnState): AsyncGenerator<StreamEvent, void> {
  try {
    yield* runTurnsHeld(services, state);
  } finally {
    state.caller.release();
  }
}

async function* runTurnsHeld(services: AppServices, state: TurnState): AsyncGenerator<StreamEvent, void> {
  const { caller, model, filters, tools, base, signal, request, answerText } = state;
  const maxRounds = Math.max(1, services.config.maxToolCallIterations);
  let messages = state.body.messages;
  let usage: Record<string, unknown> | undefined;
  let finishReason = "stop";
  const isUiRequest = Boolean(request.session_id);
  let lastSnapshotAt = 0;
  const streamChain = await openStreamChain(services, caller, filters);
  const answerLength = new AnswerLength(services.config.maxAnswerCharacters);
  try {
    for (let round = 0; ; round += 1) {
      const turn = new TurnAccumulator();
      for await (const raw of callModel(services, caller, model, { ...state.body, messages }, base, signal)) {
        const applied = streamChain.apply(raw);
        const chunk = applied instanceof Promise ? await applied : applied;
        if (chunk === null) continue;
        // Before the text piles up past what a string can hold (and the snapshots below cost more).
        answerLength.add(chunk);
        const before = turn.content.length;
        turn.add(chunk);
        if (turn.content.length > before) answerText.append(turn.content.slice(before));
        const forwarded = forwardable(chunk, tools);
        if (!forwarded) continue;
        const delta = forwarded.choices[0]?.delta.content;
        // Snapshots carry the whole text so far: throttled, so a long answer costs linear work.
        if (isUiRequest && typeof delta === "string" && delta && Date.now() - lastSnapshotAt >= SNAPSHOT_INTERVAL_MS) {
          lastSnapshotAt = Date.now();
          await sendPipelineEvent(services.logger, caller.scope.events, { type: "chat:completion", data: { content: answerText.text } });
        }
        yield forwarded;
      }
      usage = addUsage(usage, turn.usage);
      const calls = turn.toolCalls;
      if (tools.specs.length === 0 || calls.length === 0) {
        finishReason = turn.finishReason ?? "stop";
        break;
      }
      if (round + 1 >= maxRounds) {
        const notice = `\n\nStopped: the tool call limit of ${maxRounds} rounds was reached.`;
        answerText.append(notice);
        finishReason = "length";
        yield contentChunk(base, notice);
        break;
      }
      for (const call of calls) {
        await sendPipelineEvent(services.logger, caller.scope.events, {
          type: "status",
          data: { description: `Running tool ${call.function.name}`, done: false, action: "tool_call" },
        });
      }
      const results = await tools.execute(calls);
      for (const result of results) {
        await sendPipelineEvent(services.logger, caller.scope.events, {
          type: "status",
          data: {
            description: `${result.isError ? "Tool failed" : "Ran tool"} ${result.name}`,
            done: true,
            action: "tool_call",
            ...(result.isError ? { error: true } : {}),
          },
        });
      }
      messages = [
        ...messages,
        { role: "assistant", content: turn.content || null, tool_calls: calls },
        ...results.map((result) => ({ role: "tool", tool_call_id: result.toolCallId, content: result.content })),
      ];
      if (signal.aborted) throw new SluiceError("CLIENT_CLOSED_REQUEST", "The request was cancelled");
    }
  } catch (error) {
    // Keep what the client already saw of the turn that broke off; a stop the user asked for is no error.
    const isStopped = isStopRequested(signal);
    // A server that stops says so, whatever error the abort surfaced as (an aborted fetch, a pipe's own).
    const cause: unknown = isInterrupted(signal) ? signal.reason : error;
    await finishAssistantMessage(services, caller, filters, {
      request,
      model,
      content: answerText.text,
      usage,
      ...(isStopped ? { isStopped } : { error: cause }),
    }).catch((saveError) => services.logger.warn({ err: saveError }, "saving a failed answer failed"));
    if (!isStopped) throw cause;
    yield finishChunk(base, "stop");
    return;
  } finally {
    // Also reached when the client stops reading (the generator is returned early).
    streamChain.close();
  }
  await finishAssistantMessage(services, caller, filters, { request, model, content: answerText.text, usage }, state.input.onFinished);
  const wantsUsage = request.stream_options?.include_usage === true || !request.stream;
  yield finishChunk(base, finishReason, wantsUsage ? usage : undefined);
}
