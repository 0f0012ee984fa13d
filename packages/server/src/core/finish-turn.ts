import type { ChatRequest } from "./chat-request.ts";
import type { ChatStore, EventSink, PluginSession, StoredMessage, TurnLog, TurnUser } from "./ports.ts";
import type { RequestFilter } from "./resolve-filters.ts";
import type { CatalogModel } from "./resolve-model.ts";
import { runBodyChain } from "./run-body-chain.ts";
import { sendPipelineEvent } from "./send-pipeline-event.ts";

export interface FinishedAnswer {
  request: ChatRequest;
  model: CatalogModel;
  content: string;
  usage?: Record<string, unknown>;
  /** Set when the answer ended in an error (content holds what came before it). */
  error?: unknown;
  /** The user stopped the answer: what came is saved as it is, without the outlet. */
  isStopped?: boolean;
}

/** A turn of a stored chat that ended well: saved, outlet run. What listeners (title generation) get. */
export interface FinishedTurn {
  user: TurnUser;
  request: ChatRequest;
  model: CatalogModel;
}

interface OutletMessage {
  id?: string;
  role?: string;
  content?: unknown;
  [key: string]: unknown;
}

function isStoredChat(chatId: string | null | undefined): chatId is string {
  return Boolean(chatId) && !chatId!.startsWith("local:");
}

/**
 * After the model's answer: save the assistant message to the chat (created if missing), run the
 * outlet chain for UI and API callers alike, save what the outlet changed (keeping
 * `originalContent`), and tell the browser (`chat:outlet`, `chat:completion` done).
 * Outlet errors are logged, not sent to the client: the answer was already delivered.
 */
export async function finishTurn(
  ports: { chats: ChatStore; log: TurnLog },
  turn: { session: PluginSession; user: TurnUser; events: EventSink; filters: readonly RequestFilter[] },
  answer: FinishedAnswer,
  onFinished?: (turn: FinishedTurn) => void,
): Promise<void> {
  const { request, model, content, usage, error, isStopped } = answer;
  const { session, user, events, filters } = turn;
  const { chats, log } = ports;
  const chatId = request.chat_id;
  const messageId = request.id ?? undefined;
  const errorText = error === undefined ? undefined : error instanceof Error ? error.message : String(error);
  if (isStoredChat(chatId) && messageId) {
    await chats.updateMessage(chatId, messageId, (stored) => {
      // An earlier error no longer holds, e.g. the answer was taken for interrupted while this instance could not reach the database.
      const { error: _earlierError, ...message }: Partial<StoredMessage> = stored ?? {};
      return {
        ...message,
        id: messageId,
        role: "assistant",
        content,
        model: model.id,
        done: true,
        timestamp: message.timestamp ?? Math.floor(Date.now() / 1000),
        ...(usage ? { usage } : {}),
        ...(errorText ? { error: { content: errorText } } : {}),
      };
    });
  }
  if (errorText !== undefined || isStopped) {
    if (request.session_id) {
      await sendPipelineEvent(log, events, {
        type: "chat:completion",
        data: { done: true, content, ...(errorText ? { error: { content: errorText } } : {}) },
      });
    }
    return;
  }

  const outletBody = {
    model: model.id,
    messages: [...(request.messages as OutletMessage[]), { id: messageId, role: "assistant", content, ...(usage ? { usage } : {}) }],
    chat_id: chatId ?? "",
    session_id: request.session_id ?? null,
    id: messageId ?? null,
    filter_ids: request.filter_ids ?? [],
  };
  let outlet = outletBody;
  try {
    outlet = await runBodyChain(session, filters, "outlet", outletBody);
  } catch (outletError) {
    log.warn({ err: outletError, chatId }, "outlet filter failed; the answer stays as it was");
  }
  const changed = changedMessages(outletBody.messages, Array.isArray(outlet?.messages) ? outlet.messages : []);
  if (changed.length > 0 && isStoredChat(chatId)) {
    const chat = await chats.findChat(user.id, chatId);
    const storedIds = new Set((chat?.messages ?? []).map((message) => message.id));
    for (const message of changed) {
      if (!message.id || !storedIds.has(message.id)) continue;
      await chats.updateMessage(chatId, message.id, (stored) => ({
        ...stored,
        ...message,
        id: message.id!,
        role: message.role ?? stored?.role ?? "assistant",
        content: typeof message.content === "string" ? message.content : JSON.stringify(message.content ?? null),
        originalContent: stored?.originalContent ?? stored?.content,
      }));
    }
  }
  if (changed.length > 0) await sendPipelineEvent(log, events, { type: "chat:outlet", data: { messages: changed } });
  const finalContent =
    (changed.find((message) => message.id === messageId && message.role === "assistant")?.content as string | undefined) ?? content;
  if (request.session_id) await sendPipelineEvent(log, events, { type: "chat:completion", data: { done: true, content: finalContent } });
  if (isStoredChat(chatId) && onFinished) {
    try {
      onFinished({ user, request, model });
    } catch (listenerError) {
      log.warn({ err: listenerError, chatId }, "a listener of finished turns failed");
    }
  }
}

/** Messages whose content (or other fields) the outlet changed, matched by id. */
function changedMessages(before: OutletMessage[], after: OutletMessage[]): OutletMessage[] {
  const beforeById = new Map(before.filter((message) => message.id).map((message) => [message.id, JSON.stringify(message)]));
  return after.filter((message) => message?.id && beforeById.has(message.id) && beforeById.get(message.id) !== JSON.stringify(message));
}
