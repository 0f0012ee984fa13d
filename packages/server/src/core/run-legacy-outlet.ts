import type { RequestFacts } from "@sluice/sdk";
import type { MessagesBody } from "./messages-body.ts";
import { openMessageSession, requireOwnChat } from "./open-message-session.ts";
import type { TurnPorts, TurnUser } from "./ports.ts";
import { resolveFilters } from "./resolve-filters.ts";
import { resolveModel } from "./resolve-model.ts";
import { runBodyChain } from "./run-body-chain.ts";

/**
 * Open WebUI's legacy outlet (`POST /api/chat/completed`): the model's filters' `outlet` hooks
 * over the body the browser sends after an answer. The chat pipeline already runs the outlet for
 * every answer; this is for clients that still call it. Answers the body as the outlet left it.
 */
export async function runLegacyOutlet(
  ports: TurnPorts,
  user: TurnUser,
  body: MessagesBody,
  requestFacts?: RequestFacts,
): Promise<MessagesBody> {
  await requireOwnChat(ports, user, body.chat_id);
  const session = openMessageSession(ports, user, body, requestFacts);
  try {
    const model = await resolveModel(ports, session, user, body.model);
    const filters = await resolveFilters(ports, session, model.settings.filterIds, body.filter_ids ?? []);
    return await runBodyChain(session, filters, "outlet", body);
  } finally {
    session.release();
  }
}
