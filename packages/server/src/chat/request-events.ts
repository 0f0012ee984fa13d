import { SluiceError } from "@sluice/sdk";
import type { AppServices } from "../services.ts";
import type { RequestUser } from "../http/request-user.ts";
import { createEventEmitter } from "../realtime/event-emitter.ts";
import type { PluginEvents } from "./plugin-caller.ts";

/** DESIGN.md: for API callers without a socket session `emit` is a no-op and `call` fails clearly. */
const API_CALLER_EVENTS: PluginEvents = {
  emit: async () => {},
  call: async () => {
    throw new SluiceError("FORBIDDEN", "No browser session: ctx.call needs a request with session_id");
  },
  canCall: false,
};

/**
 * Where the plugins of one request send events: the user's browser tabs (persisted on the chat
 * message) when the request comes from the UI with a `session_id`; nowhere for API callers.
 */
export function requestEvents(
  services: AppServices,
  user: RequestUser,
  scope: { chatId?: string | null; messageId?: string | null; sessionId?: string | null },
): PluginEvents {
  if (!scope.sessionId) return API_CALLER_EVENTS;
  const emitter = createEventEmitter(services, {
    userId: user.id,
    chatId: scope.chatId ?? undefined,
    messageId: scope.messageId ?? undefined,
    sessionId: scope.sessionId,
  });
  return { emit: (event) => emitter.emit(event), call: (event) => emitter.call(event), canCall: true };
}
