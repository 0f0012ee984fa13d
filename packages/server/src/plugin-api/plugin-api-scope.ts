import type { RequestFacts } from "@sluice/sdk";
import type { RequestTools, TurnUser } from "../core/ports.ts";
import { fileIdsOf } from "../core/file-references.ts";
import type { FunctionRecord, ToolRecord } from "../core/records.ts";
import type { PluginApiScope } from "./plugin-api.ts";

/**
 * The scope of a request's service calls for one plugin: a tool row (it has `specs`) is kept apart
 * from a function row of the same id; the user, the stored chat, the files, the nesting depth and
 * the HTTP request and, once resolved, the tools are the request's.
 */
export function pluginApiScope(
  record: FunctionRecord | ToolRecord,
  request: { user: TurnUser; metadata: Record<string, unknown>; depth?: number; requestFacts?: RequestFacts; tools?: RequestTools },
): PluginApiScope {
  const chatId = request.metadata.chat_id;
  return {
    namespace: "specs" in record ? "tool" : "function",
    pluginId: record.id,
    userId: request.user.id,
    chatId: typeof chatId === "string" && chatId !== "" && !chatId.startsWith("local:") ? chatId : null,
    user: request.user,
    depth: request.depth ?? 0,
    ...(request.requestFacts ? { requestFacts: request.requestFacts } : {}),
    ...(request.user.role ? { userRole: request.user.role } : {}),
    requestFileIds: fileIdsOf(request.metadata.files),
    ...(request.tools ? { tools: request.tools } : {}),
  };
}
