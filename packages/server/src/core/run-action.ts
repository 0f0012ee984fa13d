import { SluiceError, type RequestFacts } from "@sluice/sdk";
import type { MessagesBody } from "./messages-body.ts";
import { openMessageSession, requireOwnChat } from "./open-message-session.ts";
import type { ChatStore, TurnPorts, TurnUser } from "./ports.ts";
import { resolveModel } from "./resolve-model.ts";

/**
 * Runs an action (a button under a message): `actionId` is the function's id, or
 * `<function id>.<entry id>` for one of its `actions` entries. The model must be one the user may
 * use; what the action returns changes the stored chat (see {@link applyActionResult}) and is
 * the answer.
 */
export async function runAction(
  ports: TurnPorts,
  user: TurnUser,
  actionId: string,
  body: MessagesBody,
  requestFacts?: RequestFacts,
): Promise<unknown> {
  const [functionId, subId] = actionId.split(".", 2) as [string, string | undefined];
  const record = await ports.pluginStore.findFunction(functionId);
  if (!record || record.type !== "action" || !record.is_active) throw new SluiceError("NOT_FOUND", `Action not found: ${actionId}`);
  const chatId = await requireOwnChat(ports, user, body.chat_id);
  const session = openMessageSession(ports, user, body, requestFacts);
  try {
    await resolveModel(ports, session, user, body.model);
    const descriptor = await session.describe("function", record);
    if (subId !== undefined && !descriptor.actions?.some((entry) => entry.id === subId))
      throw new SluiceError("NOT_FOUND", `Action not found: ${actionId}`);
    const result = await session.invoke("function", record, "action", body, {
      contextId: actionId,
      metadata: { action_id: actionId, sub_action_id: subId ?? null },
    });
    if (chatId) await applyActionResult(ports.chats, chatId, body.id ?? undefined, result);
    return result;
  } finally {
    session.release();
  }
}

/**
 * What an action returns changes the chat (the browser would merge it in Open WebUI; Sluice saves
 * it so API callers get the same result): `{messages: [{id, …}]}` merges each message by id;
 * `{content}` replaces the clicked message's content. The previous content is kept as `originalContent`.
 */
export async function applyActionResult(chats: ChatStore, chatId: string, messageId: string | undefined, result: unknown): Promise<void> {
  if (typeof result !== "object" || result === null) return;
  const changes: Array<{ id: string; fields: Record<string, unknown> }> = [];
  const { messages, content } = result as { messages?: unknown; content?: unknown };
  if (Array.isArray(messages)) {
    for (const message of messages) {
      if (typeof message === "object" && message !== null && typeof (message as { id?: unknown }).id === "string") {
        changes.push({ id: (message as { id: string }).id, fields: message as Record<string, unknown> });
      }
    }
  } else if (typeof content === "string" && messageId) {
    changes.push({ id: messageId, fields: { content } });
  }
  for (const change of changes) {
    await chats.updateMessage(chatId, change.id, (stored) =>
      stored ? { ...stored, ...change.fields, id: change.id, originalContent: stored.originalContent ?? stored.content } : undefined,
    );
  }
}
