import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import type { AppServices } from "../../services.ts";
import { parseInput } from "../parse-body.ts";
import { requireVerified, type RequestUser } from "../request-user.ts";
import { requestFactsOf } from "../request-facts.ts";
import type { RequestFacts } from "@sluice/sdk";
import { findFunction } from "../../db/functions-repository.ts";
import { findChat, updateChatMessage } from "../../db/chats-repository.ts";
import { requestEvents } from "../../chat/request-events.ts";
import { PluginCaller } from "../../chat/plugin-caller.ts";
import { resolveFilters, runBodyChain } from "../../chat/filter-chain.ts";
import { resolveModel } from "../../chat/model-catalog.ts";

/** The body the UI sends for actions and the legacy outlet (reference §6.7, §8.2). */
const messagesBodySchema = z.looseObject({
  model: z.string().min(1, "model is required"),
  messages: z.array(z.looseObject({ role: z.string().optional(), content: z.unknown().optional(), id: z.string().optional() })),
  chat_id: z.string().nullish(),
  session_id: z.string().nullish(),
  id: z.string().nullish(),
  filter_ids: z.array(z.string()).nullish(),
});

type MessagesBody = z.output<typeof messagesBodySchema>;

function callerFor(services: AppServices, user: RequestUser, body: MessagesBody, requestFacts: RequestFacts): PluginCaller {
  return new PluginCaller(services, {
    user,
    metadata: {
      user_id: user.id,
      chat_id: body.chat_id ?? "",
      message_id: body.id ?? null,
      session_id: body.session_id ?? null,
      model: body.model,
      filter_ids: body.filter_ids ?? [],
    },
    events: requestEvents(services, user, { chatId: body.chat_id, messageId: body.id, sessionId: body.session_id }),
    messages: body.messages,
    requestFacts,
  });
}

async function requireOwnChat(services: AppServices, user: RequestUser, chatId: string | null | undefined): Promise<string | undefined> {
  if (!chatId || chatId.startsWith("local:")) return undefined;
  if (!(await findChat(services.db, user.id, chatId))) throw new SluiceError("NOT_FOUND", `Chat not found: ${chatId}`);
  return chatId;
}

/** `POST /api/chat/actions/{id}` and the legacy outlet `POST /api/chat/completed`. */
export function registerChatActionRoutes(app: FastifyInstance, services: AppServices): void {
  app.post("/api/chat/actions/:id", async (request) => {
    const user = requireVerified(request);
    const { id } = parseInput(z.object({ id: z.string().min(1) }), request.params);
    const body = parseInput(messagesBodySchema, request.body);
    const [functionId, subId] = id.split(".", 2) as [string, string | undefined];
    const record = await findFunction(services.db, functionId);
    if (!record || record.type !== "action" || !record.is_active) throw new SluiceError("NOT_FOUND", `Action not found: ${id}`);
    const chatId = await requireOwnChat(services, user, body.chat_id);
    const caller = callerFor(services, user, body, requestFactsOf(request));
    try {
      await resolveModel(services, caller, body.model);
      const { descriptor } = await caller.plugin("function", record);
      if (subId !== undefined && !descriptor.actions?.some((entry) => entry.id === subId))
        throw new SluiceError("NOT_FOUND", `Action not found: ${id}`);
      const result = await caller.invoke("function", record, "action", body, {
        contextId: id,
        metadata: { action_id: id, sub_action_id: subId ?? null },
      });
      if (chatId) await applyActionResult(services, chatId, body.id ?? undefined, result);
      return result;
    } finally {
      caller.release();
    }
  });

  app.post("/api/chat/completed", async (request) => {
    const user = requireVerified(request);
    const body = parseInput(messagesBodySchema, request.body);
    await requireOwnChat(services, user, body.chat_id);
    const caller = callerFor(services, user, body, requestFactsOf(request));
    try {
      const model = await resolveModel(services, caller, body.model);
      const filters = await resolveFilters(services, caller, model.settings.filterIds, body.filter_ids ?? []);
      return await runBodyChain(caller, filters, "outlet", body);
    } finally {
      caller.release();
    }
  });
}

/**
 * What an action returns changes the chat (the browser would merge it in Open WebUI; Sluice saves
 * it so API callers get the same result): `{messages: [{id, …}]}` merges each message by id;
 * `{content}` replaces the clicked message's content. The previous content is kept as `originalContent`.
 */
async function applyActionResult(services: AppServices, chatId: string, messageId: string | undefined, result: unknown): Promise<void> {
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
    await updateChatMessage(services.db, chatId, change.id, (stored) =>
      stored ? { ...stored, ...change.fields, id: change.id, originalContent: stored.originalContent ?? stored.content } : undefined,
    );
  }
}
