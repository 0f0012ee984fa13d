import { SluiceError } from "@sluice/sdk";
import type { EventPort, EventSink } from "../core/ports.ts";
import { createEventEmitter, type EventEmitterDependencies } from "./event-emitter.ts";

/** For API callers without a socket session `emit` only saves (see below) and `call` fails clearly. */
const API_CALLER_EVENTS: EventSink = {
  emit: async () => {},
  call: async () => {
    throw new SluiceError("FORBIDDEN", "No browser session: ctx.call needs a request with session_id");
  },
  canCall: false,
};

/**
 * The event port of the chat pipeline. From the UI (a `session_id`): the user's browser tabs,
 * with effects saved on the chat message. From an API caller naming a chat and a message:
 * nowhere live, but the effects are saved on that message all the same. Otherwise nowhere.
 * The caller has checked that the chat is the user's.
 */
export function createEventPort(dependencies: EventEmitterDependencies): EventPort {
  return {
    forRequest(user, scope) {
      if (!scope.sessionId) {
        if (!scope.chatId || !scope.messageId) return API_CALLER_EVENTS;
        const saver = createEventEmitter(dependencies, {
          userId: user.id,
          chatId: scope.chatId,
          messageId: scope.messageId,
          isLive: false,
        });
        return { ...API_CALLER_EVENTS, emit: (event, origin) => saver.emit(event, origin) };
      }
      const emitter = createEventEmitter(dependencies, {
        userId: user.id,
        chatId: scope.chatId ?? undefined,
        messageId: scope.messageId ?? undefined,
        sessionId: scope.sessionId,
      });
      return { emit: (event, origin) => emitter.emit(event, origin), call: (event) => emitter.call(event), canCall: true };
    },
    notify(user, scope, event) {
      return createEventEmitter(dependencies, { userId: user.id, chatId: scope.chatId, messageId: scope.messageId ?? undefined }).emit(
        event,
      );
    },
  };
}
