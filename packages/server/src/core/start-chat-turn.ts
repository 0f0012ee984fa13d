import { SluiceError, type StreamEvent } from "@sluice/sdk";
import { AnswerText } from "./answer-text.ts";
import { applyModelParams } from "./apply-model-params.ts";
import { attachFiles, openAttachments, type Attachments } from "./attach-files.ts";
import { modelBody } from "./chat-request.ts";
import type { ChunkBase } from "./completion-chunks.ts";
import type { ChatTurnInput } from "./chat-turn-input.ts";
import type { EventSink, PluginSession, StoredMessage, TurnPorts } from "./ports.ts";
import { resolveFilters } from "./resolve-filters.ts";
import { resolveModel, type CatalogModel } from "./resolve-model.ts";
import { resolveTools } from "./resolve-tools.ts";
import { routeAfterInlet } from "./route-after-inlet.ts";
import { runBodyChain } from "./run-body-chain.ts";
import { runModelRounds } from "./run-model-rounds.ts";

export interface ChatTurn {
  model: CatalogModel;
  base: ChunkBase;
  /** The answer's chunks, after the stream filters; ends after the message is saved and the outlet ran. Throws a SluiceError mid-stream. */
  chunks: AsyncGenerator<StreamEvent, void>;
}

/**
 * Runs one chat request through the pipeline: the attached files (checked before any plugin
 * runs), the model, the filters, the inlet chain (an inlet may re-route the turn to another
 * model, see `routeAfterInlet`), the files put into the messages (unless a filter handles them),
 * the tools, then the model or pipe with the stream filters and the tool loop, then saving and the
 * outlet chain (`runModelRounds`). Everything up to the first chunk happens before this
 * resolves, so those errors become HTTP errors; later ones are thrown by `chunks`.
 */
export async function startChatTurn(ports: TurnPorts, input: ChatTurnInput): Promise<ChatTurn> {
  const { user, request, signal } = input;
  const chatId = request.chat_id ?? "";
  const storedChat = chatId && !chatId.startsWith("local:") ? await ports.chats.findChat(user.id, chatId) : undefined;
  if (chatId && !chatId.startsWith("local:") && !storedChat) {
    throw new SluiceError("NOT_FOUND", `Chat not found: ${chatId}`);
  }
  const attachments = await openAttachments(ports.files, user, request, input.requestFacts?.baseUrl);
  const answerText = new AnswerText();
  answerText.text = continuedText(storedChat?.messages ?? [], request);
  const events = followAnswerText(
    ports.events.forRequest(user, { chatId: request.chat_id, messageId: request.id, sessionId: request.session_id }),
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
  const session = ports.plugins.open({
    user,
    metadata,
    events,
    signal,
    messages: request.messages,
    files: request.files ?? [],
    requestFacts: input.requestFacts,
    depth: input.depth ?? 0,
  });
  try {
    return await prepareTurn(ports, input, session, events, answerText, metadata, attachments);
  } catch (error) {
    session.release();
    throw error;
  }
}

/** `ctx.model`: the model as plugins see it. */
function modelInfo(model: CatalogModel): Record<string, unknown> {
  return {
    id: model.id,
    name: model.name,
    owned_by: model.owned_by,
    ...(model.row ? { info: { meta: model.row.meta, params: model.row.params } } : {}),
  };
}

/** Events that change the answer's text (`message`, `replace`) also change what will be saved, once they are delivered. */
function followAnswerText(events: EventSink, answerText: AnswerText): EventSink {
  return {
    ...events,
    emit: async (event, origin) => {
      await events.emit(event, origin);
      answerText.applyEvent(event);
    },
  };
}

async function prepareTurn(
  ports: TurnPorts,
  input: ChatTurnInput,
  session: PluginSession,
  events: EventSink,
  answerText: AnswerText,
  metadata: Record<string, unknown>,
  attachments: Attachments,
): Promise<ChatTurn> {
  const { user, request } = input;
  const named = await resolveModel(ports, session, user, request.model, input.unavailableModel);
  session.setModel(modelInfo(named));

  const filters = input.bypassFilters ? [] : await resolveFilters(ports, session, named.settings.filterIds, request.filter_ids ?? []);
  let body = applyModelParams(modelBody(request), named.row?.params);
  body = await runBodyChain(session, filters, "inlet", body);
  if (!Array.isArray(body.messages)) throw new SluiceError("PLUGIN_ERROR", "After the inlet filters the body has no messages list");
  const routed = await routeAfterInlet(ports, session, user, named, body);
  const model = routed.model;
  body = routed.body;
  if (model !== named) {
    session.setModel(modelInfo(model));
    metadata.model = model.id;
  }
  body = await attachFiles(body, attachments, { handlesFiles: filters.some((filter) => filter.isFileHandler) });

  const tools = await resolveTools(ports, session, user, [...(request.tool_ids ?? []), ...model.settings.toolIds]);
  // From here on the pipe and the filters reach these tools too (`ctx.tools`).
  session.setTools(tools);
  if (tools.specs.length > 0) body = { ...body, tools: [...((body.tools as unknown[]) ?? []), ...tools.specs] };

  const base: ChunkBase = { id: `chatcmpl-${crypto.randomUUID()}`, model: model.id, created: Math.floor(Date.now() / 1000) };
  const chunks = runModelRounds(ports, { session, events, model, filters, tools, body, base, input, answerText });
  // Pull the first chunk now: an unknown upstream model or a pipe that throws at once is an HTTP error.
  const first = await chunks.next();
  return { model, base, chunks: prepend(first, chunks) };
}

/**
 * `rest` with its first chunk put back in front. A client that stops reading at the first chunk,
 * or before reading any (a plugin dropping a `ctx.models` stream), closes `rest` too, so the
 * turn's plugins are released and its stream filters closed.
 */
function prepend<T>(first: IteratorResult<T, void>, rest: AsyncGenerator<T, void>): AsyncGenerator<T, void> {
  const chunks = (async function* () {
    try {
      if (first.done) return;
      yield first.value;
      yield* rest;
    } finally {
      await rest.return();
    }
  })();
  // `return` on a generator that never started skips its `finally`: close `rest` here as well.
  const stop = chunks.return.bind(chunks);
  chunks.return = async (value) => {
    const result = await stop(value);
    await rest.return();
    return result;
  };
  return chunks;
}
export type { ChatTurnInput } from "./chat-turn-input.ts";

/**
 * "Continue" (Open WebUI): the request ends with the answer so far, as an assistant message, and
 * names that stored answer as its `id`. The answer then grows from the stored text, which is what
 * snapshots show and what is saved; the stream carries only the new text. Otherwise "".
 */
function continuedText(stored: readonly StoredMessage[], request: ChatTurnInput["request"]): string {
  const last = request.messages.at(-1) as { role?: unknown } | undefined;
  if (!request.id || last?.role !== "assistant") return "";
  const answer = stored.find((message) => message.id === request.id);
  return answer?.role === "assistant" && typeof answer.content === "string" ? answer.content : "";
}
