import { SluiceError, type RequestFacts } from "@sluice/sdk";
import type { MessagesBody } from "./messages-body.ts";
import type { PluginSession, TurnPorts, TurnUser } from "./ports.ts";

/** The user's stored chat a body names, checked: undefined for none or a temporary chat; NOT_FOUND when it is not theirs. */
export async function requireOwnChat(
  ports: Pick<TurnPorts, "chats">,
  user: TurnUser,
  chatId: string | null | undefined,
): Promise<string | undefined> {
  if (!chatId || chatId.startsWith("local:")) return undefined;
  if (!(await ports.chats.findChat(user.id, chatId))) throw new SluiceError("NOT_FOUND", `Chat not found: ${chatId}`);
  return chatId;
}

/** The plugin session of an action or a legacy outlet call: the body's chat, message and browser session. */
export function openMessageSession(
  ports: Pick<TurnPorts, "plugins" | "events">,
  user: TurnUser,
  body: MessagesBody,
  requestFacts?: RequestFacts,
): PluginSession {
  return ports.plugins.open({
    user,
    metadata: {
      user_id: user.id,
      chat_id: body.chat_id ?? "",
      message_id: body.id ?? null,
      session_id: body.session_id ?? null,
      model: body.model,
      filter_ids: body.filter_ids ?? [],
    },
    events: ports.events.forRequest(user, { chatId: body.chat_id, messageId: body.id, sessionId: body.session_id }),
    messages: body.messages,
    requestFacts,
  });
}
