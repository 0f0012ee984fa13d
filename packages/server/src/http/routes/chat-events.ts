import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import { findChat } from "../../db/chats-repository.ts";
import { createEventEmitter } from "../../realtime/event-emitter.ts";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requireVerified } from "../request-user.ts";

const eventParams = z.object({ id: z.string().min(1), message_id: z.string().min(1).max(200) });
const eventBody = z.object({
  type: z.string().min(1, "an event needs a type"),
  data: z.record(z.string(), z.unknown(), { error: "data must be an object" }),
});

/**
 * Events that wait for the browser's answer: from outside there is no request to answer to, so
 * sending one would leave a dialog that no one reads.
 */
const CALL_ONLY_TYPES = new Set(["confirmation", "input", "execute:tool", "execute:python", "request:chat:completion"]);

/**
 * `POST /api/v1/chats/{id}/messages/{message_id}/event` (Open WebUI's path): a tool running
 * elsewhere, with the chat owner's token or API key, adds status lines, sources and files to a
 * message. The event goes through the same emitter as a plugin's `ctx.emit`: every open tab of
 * the owner gets it live and its effect is saved on the message (created when missing).
 */
export function registerChatEventRoutes(app: FastifyInstance, services: AppServices): void {
  app.post("/api/v1/chats/:id/messages/:message_id/event", async (request) => {
    const user = requireVerified(request);
    const { id, message_id: messageId } = parseInput(eventParams, request.params);
    // Another user's chat is reported missing, for admins too: its id must not leak.
    const chat = await findChat(services.db, user.id, id);
    if (!chat) throw new SluiceError("NOT_FOUND", `Chat not found: ${id}`);
    const event = parseInput(eventBody, request.body);
    if (CALL_ONLY_TYPES.has(event.type)) {
      throw new SluiceError(
        "INVALID_INPUT",
        `A "${event.type}" event waits for an answer from the browser; it cannot be sent from outside`,
      );
    }
    if (event.type === "execute" && !services.config.allowExecuteEvent) {
      throw new SluiceError(
        "PERMISSION_DENIED",
        "The execute event is disabled; an admin can enable it with PLUGIN_ALLOW_EXECUTE_EVENT=true",
      );
    }
    await createEventEmitter(services, { userId: chat.user_id, chatId: chat.id, messageId }).emit(event);
    return true;
  });
}
