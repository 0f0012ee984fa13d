import { SluiceError, type StreamEvent, type ToolCall } from "@sluice/sdk";
import { AnswerLength } from "./answer-length.ts";
import type { AnswerText } from "./answer-text.ts";
import { callModel } from "./call-model.ts";
import { isInterrupted, isStopRequested } from "./chat-tasks.ts";
import { addUsage, contentChunk, finishChunk, TurnAccumulator, type ChunkBase } from "./completion-chunks.ts";
import { finishTurn } from "./finish-turn.ts";
import { openStreamChain } from "./open-stream-chain.ts";
import { ReasoningCollector } from "./reasoning-block.ts";
import { runBodyChain } from "./run-body-chain.ts";
import type { EventSink, PluginSession, TurnEvent, TurnPorts } from "./ports.ts";
import type { RequestFilter } from "./resolve-filters.ts";
import type { CatalogModel } from "./resolve-model.ts";
import type { ToolResult, ToolSet } from "./resolve-tools.ts";
import { sendPipelineEvent } from "./send-pipeline-event.ts";
import type { ChatTurnInput } from "./chat-turn-input.ts";

/** How often, at most, a UI request gets a `chat:completion` snapshot while streaming. */
const SNAPSHOT_INTERVAL_MS = 50;

/** A turn once its model, filters, tools and body are settled (see `startChatTurn`). */
export interface PreparedTurn {
  session: PluginSession;
  events: EventSink;
  model: CatalogModel;
  filters: RequestFilter[];
  tools: ToolSet;
  body: Record<string, unknown> & { messages: Record<string, unknown>[] };
  base: ChunkBase;
  input: ChatTurnInput;
  /** What is saved: the model's text with plugins' `message` / `replace` events in between. */
  answerText: AnswerText;
}

/**
 * A `chat:message:tool_call` event: a tool call the server runs, with its arguments, and once it
 * ran its result (`error: true` when it failed). The page shows it as a block in the answer.
 */
function toolCallEvent(call: ToolCall, result?: ToolResult): TurnEvent {
  return {
    type: "chat:message:tool_call",
    data: {
      id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
      done: result !== undefined,
      ...(result ? { result: result.content, ...(result.isError ? { error: true } : {}) } : {}),
    },
  };
}

/** Removes what the client must not act on: tool calls the server runs, finish reasons and usage of single turns. */
export function forwardable(chunk: StreamEvent, tools: ToolSet): StreamEvent | null {
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
 * The model's rounds of one turn: each round's body through the filters' `request` hooks to the
 * model or pipe, its chunks through the stream chain to the client;
 * tool calls run and their results sent back for another round, up to the tool-call limit; then
 * the answer is saved and the outlet runs (`finishTurn`). An error or a stop saves what came.
 * The session's plugins are released when this ends, however it ends.
 */
export async function* runModelRounds(ports: TurnPorts, turn: PreparedTurn): AsyncGenerator<StreamEvent, void> {
  try {
    yield* runRounds(ports, turn);
  } finally {
    turn.session.release();
  }
}

async function* runRounds(ports: TurnPorts, turn: PreparedTurn): AsyncGenerator<StreamEvent, void> {
  const { session, events, model, filters, tools, base, input, answerText } = turn;
  const { request, signal } = input;
  const { log } = ports;
  const maxRounds = Math.max(1, ports.settings.maxToolCallIterations);
  const finishing = { session, user: input.user, events, filters };
  let messages = turn.body.messages;
  let usage: Record<string, unknown> | undefined;
  let finishReason = "stop";
  const isUiRequest = Boolean(request.session_id);
  let lastSnapshotAt = 0;
  const streamChain = await openStreamChain(log, session, filters);
  const answerLength = new AnswerLength(ports.settings.maxAnswerCharacters);
  try {
    for (let round = 0; ; round += 1) {
      const accumulated = new TurnAccumulator();
      const reasoning = new ReasoningCollector();
      // The `request` hook sees (and may change) what goes to the model, before each round; the next round starts from the turn's body again.
      const roundBody = await runBodyChain(session, filters, "request", { ...turn.body, messages });
      if (!Array.isArray(roundBody.messages))
        throw new SluiceError("PLUGIN_ERROR", "After the request filters the body has no messages list");
      for await (const raw of callModel(ports.gateway, session, model, roundBody, base, signal)) {
        const applied = streamChain.apply(raw);
        const chunk = applied instanceof Promise ? await applied : applied;
        if (chunk === null) continue;
        // Before the text piles up past what a string can hold (and the snapshots below cost more).
        answerLength.add(chunk);
        const before = accumulated.content.length;
        accumulated.add(chunk);
        reasoning.add(chunk.choices?.[0]?.delta as Record<string, unknown> | undefined);
        // The reasoning is saved before the text it led to, as Open WebUI does.
        if (accumulated.content.length > before) answerText.append(reasoning.take() + accumulated.content.slice(before));
        const forwarded = forwardable(chunk, tools);
        if (!forwarded) continue;
        const delta = forwarded.choices[0]?.delta.content;
        // Snapshots carry the whole text so far: throttled, so a long answer costs linear work.
        if (isUiRequest && typeof delta === "string" && delta && Date.now() - lastSnapshotAt >= SNAPSHOT_INTERVAL_MS) {
          lastSnapshotAt = Date.now();
          await sendPipelineEvent(log, events, { type: "chat:completion", data: { content: answerText.text } });
        }
        yield forwarded;
      }
      answerText.append(reasoning.take());
      usage = addUsage(usage, accumulated.usage);
      const calls = accumulated.toolCalls;
      if (tools.specs.length === 0 || calls.length === 0) {
        finishReason = accumulated.finishReason ?? "stop";
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
        await sendPipelineEvent(log, events, {
          type: "status",
          data: { description: `Running tool ${call.function.name}`, done: false, action: "tool_call" },
        });
        await sendPipelineEvent(log, events, toolCallEvent(call));
      }
      const results = await tools.execute(calls);
      for (const [index, result] of results.entries()) {
        await sendPipelineEvent(log, events, {
          type: "status",
          data: {
            description: `${result.isError ? "Tool failed" : "Ran tool"} ${result.name}`,
            done: true,
            action: "tool_call",
            ...(result.isError ? { error: true } : {}),
          },
        });
        await sendPipelineEvent(log, events, toolCallEvent(calls[index]!, result));
      }
      messages = [
        ...messages,
        { role: "assistant", content: accumulated.content || null, tool_calls: calls },
        ...results.map((result) => ({ role: "tool", tool_call_id: result.toolCallId, content: result.content })),
      ];
      if (signal.aborted) throw new SluiceError("CLIENT_CLOSED_REQUEST", "The request was cancelled");
    }
  } catch (error) {
    // Keep what the client already saw of the turn that broke off; a stop the user asked for is no error.
    const isStopped = isStopRequested(signal);
    // A server that stops says so, whatever error the abort surfaced as (an aborted fetch, a pipe's own).
    const cause: unknown = isInterrupted(signal) ? signal.reason : error;
    await finishTurn(ports, finishing, {
      request,
      model,
      content: answerText.text,
      usage,
      ...(isStopped ? { isStopped } : { error: cause }),
    }).catch((saveError) => log.warn({ err: saveError }, "saving a failed answer failed"));
    if (!isStopped) throw cause;
    yield finishChunk(base, "stop");
    return;
  } finally {
    // Also reached when the client stops reading (the generator is returned early).
    streamChain.close();
  }
  await finishTurn(ports, finishing, { request, model, content: answerText.text, usage }, input.onFinished);
  const wantsUsage = request.stream_options?.include_usage === true || !request.stream;
  yield finishChunk(base, finishReason, wantsUsage ? usage : undefined);
}
