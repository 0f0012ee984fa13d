import { SluiceError } from "@sluice/sdk";
import type { AppServices } from "../services.ts";
import type { RequestUser } from "../http/request-user.ts";
import { createEventEmitter } from "../realtime/event-emitter.ts";
import type { PluginEvents } from "./plugin-caller.ts";

/** DESIGN.md: for API callers without a socket session `emit` only saves (see below) and `call` fails clearly. */
const API_CALLER_EVENTS: PluginEvents = {
  emit: async () => {},
  call: async () => {
    throw new SluiceError("FORBIDDEN", "No browser session: ctx.call needs a request with session_id");
  },
  canCall: false,
};

/**
 * Where the plugins of one request send events. From the UI (a `session_id`): the user's browser
 * tabs, with effects saved on the chat message. From an API caller naming a chat and a message:
 * nowhere live, but the effects are saved on that message all the same. Otherwise nowhere.
 * The route has checked that the chat is the user's.
 */
export function requestEvents(
  services: AppServices,
  user: RequestUser,
  scope: { chatId?: string | null; messageId?: string | null; sessionId?: string | null },
): PluginEvents {
  if (!scope.sessionId) {
    if (!scope.chatId || !scope.messageId) return API_CALLER_EVENTS;
    const saver = createEventEmitter(services, { userId: user.id, chatId: scope.chatId, messageId: scope.messageId, isLive: false });
    return { ...API_CALLER_EVENTS, emit: (event, origin) => saver.emit(event, origin) };
  }
  const emitter = createEventEmitter(services, {
    userId: user.id,
    chatId: scope.chatId ?? undefined,
    messageId: scope.messageId ?? undefined,
    sessionId: scope.sessionId,
  });
  return { emit: (event, origin) => emitter.emit(event, origin), call: (event) => emitter.call(event), canCall: true };
}
