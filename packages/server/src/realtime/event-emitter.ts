import type { Logger } from "pino";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import type { Config } from "../config.ts";
import type { ChatStore } from "../core/ports.ts";
import type { Realtime } from "./create-realtime.ts";
import type { EventEnvelope } from "./event-envelope.ts";
import { persistedChange } from "./persisted-change.ts";

/** Largest event accepted from a plugin, serialised. */
export const MAX_EVENT_BYTES = 1024 * 1024;

/** Who and what a plugin's events belong to: from the chat request (`chat_id`, `id`, `session_id`). */
export interface EventScope {
  userId: string;
  chatId?: string;
  messageId?: string;
  /** The socket the request came from; `call` needs it. */
  sessionId?: string;
  /** Aborted when the request is cancelled: a pending `call` rejects with its reason. */
  signal?: AbortSignal;
  /** False for API callers: nothing is sent to the user's tabs, effects are only saved. True by default. */
  isLive?: boolean;
}

/** What an emitter needs: the socket.io sessions, where effects are saved, and the settings of events. */
export interface EventEmitterDependencies {
  realtime: Pick<Realtime, "emitToUser" | "call">;
  chats: Pick<ChatStore, "updateMessage">;
  config: Pick<Config, "allowExecuteEvent" | "eventCallTimeoutSeconds">;
  logger: Pick<Logger, "warn">;
}

/** An event as a plugin sends it: `{type, data}`. */
export interface PluginEvent {
  type: string;
  data?: unknown;
}

/** What plugins' `ctx.emit` and `ctx.call` end up in. */
export interface EventEmitter {
  /**
   * Delivers the event to every tab of the user and saves its effect on the chat message. An
   * `execute` event while those are off is dropped with a warning (`origin` names the plugin):
   * emitting is fire-and-forget, so the hook goes on.
   */
  emit(event: PluginEvent, origin?: { pluginId: string; hook?: string }): Promise<void>;
  /** Asks the originating tab and resolves with its answer. */
  call(event: PluginEvent): Promise<unknown>;
}

const eventSchema = z.object({
  type: z.string().min(1, "an event needs a type").max(200, "the event type is too long (200 characters at most)"),
  data: z.unknown(),
});

/** Plugin output is untrusted: a typed, JSON-serialisable event of bounded size, or a clear error. */
function parseEvent(value: unknown): PluginEvent {
  const result = eventSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SluiceError("INVALID_INPUT", `Invalid event: ${issue.path.join(".") || "event"}: ${issue.message}`);
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(result.data);
  } catch (error) {
    throw new SluiceError("INVALID_INPUT", `The "${result.data.type}" event's data cannot be sent: ${(error as Error).message}`);
  }
  const bytes = Buffer.byteLength(text ?? "");
  if (bytes > MAX_EVENT_BYTES) {
    throw new SluiceError("PAYLOAD_TOO_LARGE", `The "${result.data.type}" event is too large: ${bytes} bytes (at most ${MAX_EVENT_BYTES})`);
  }
  return result.data;
}

const EXECUTE_DISABLED =
  "The execute event (JavaScript run in the user's browser) is disabled; an admin can enable it with PLUGIN_ALLOW_EXECUTE_EVENT=true";

/**
 * Builds the emitter for one request. `emit` sends
 * `{chat_id, message_id, data: event}` on channel `events` to room `user:<userId>` and, when the
 * scope names a stored chat and a message, saves the event's effect on that message (created if
 * missing) in the order the events were emitted. `call` sends it to the originating session only
 * and waits for the answer (`WEBSOCKET_EVENT_CALLER_TIMEOUT`). `execute` events (JavaScript run in
 * the page) are dropped by `emit` and refused by `call` unless `PLUGIN_ALLOW_EXECUTE_EVENT` is on.
 *
 * @example
 * const events = createEventEmitter(services, { userId, chatId, messageId, sessionId });
 * await events.emit({ type: "status", data: { description: "Searching…", done: false } });
 * const isSure = await events.call({ type: "confirmation", data: { title: "Delete?", message: "Sure?" } });
 */
export function createEventEmitter(services: EventEmitterDependencies, scope: EventScope): EventEmitter {
  const { chatId, messageId } = scope;
  const storedChatId = chatId && messageId && !chatId.startsWith("local:") ? chatId : undefined;
  let saved: Promise<void> = Promise.resolve();

  function envelope(event: PluginEvent): EventEnvelope {
    return { chat_id: chatId ?? null, message_id: messageId ?? null, data: { type: event.type, data: event.data } };
  }

  function checkAllowed(event: PluginEvent): void {
    if (event.type === "execute" && !services.config.allowExecuteEvent) {
      throw new SluiceError("PERMISSION_DENIED", EXECUTE_DISABLED);
    }
  }

  async function save(change: NonNullable<ReturnType<typeof persistedChange>>, type: string): Promise<void> {
    try {
      await services.chats.updateMessage(storedChatId!, messageId!, (message) =>
        change(message ?? { id: messageId!, role: "assistant", content: "", timestamp: Math.floor(Date.now() / 1000) }),
      );
    } catch (error) {
      // The browser already has the event; a failed save must not fail the plugin.
      services.logger.warn({ err: error, chatId: storedChatId, messageId, type }, "saving an event on the chat message failed");
    }
  }

  return {
    async emit(value, origin) {
      const event = parseEvent(value);
      if (event.type === "execute" && !services.config.allowExecuteEvent) {
        services.logger.warn({ ...origin, chatId, messageId }, `execute event dropped: ${EXECUTE_DISABLED}`);
        return;
      }
      const change = persistedChange(event);
      if (scope.isLive !== false) services.realtime.emitToUser(scope.userId, envelope(event));
      if (!change || !storedChatId) return;
      // One emitter's saves run one after another, so they land in the order they were emitted.
      saved = saved.then(() => save(change, event.type));
      await saved;
    },

    async call(value) {
      const event = parseEvent(value);
      checkAllowed(event);
      if (!scope.sessionId) throw new SluiceError("INVALID_INPUT", "No browser session: ctx.call needs a request with session_id");
      const timeoutMs = services.config.eventCallTimeoutSeconds * 1000;
      return services.realtime.call(scope.sessionId, envelope(event), timeoutMs, { userId: scope.userId, signal: scope.signal });
    },
  };
}
