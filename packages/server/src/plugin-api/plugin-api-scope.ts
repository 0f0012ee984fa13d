import { fileIdsOf } from "../core/file-references.ts";
import type { FunctionRecord, ToolRecord } from "../core/records.ts";
import type { PluginApiScope } from "./plugin-api.ts";

/**
 * The scope of a request's service calls for one plugin: a tool row (it has `specs`) is kept apart
 * from a function row of the same id; the user, the stored chat and the files are the request's.
 */
export function pluginApiScope(
  record: FunctionRecord | ToolRecord,
  request: { user: { id: string; role?: PluginApiScope["userRole"] }; metadata: Record<string, unknown> },
): PluginApiScope {
  const chatId = request.metadata.chat_id;
  return {
    namespace: "specs" in record ? "tool" : "function",
    pluginId: record.id,
    userId: request.user.id,
    chatId: typeof chatId === "string" && chatId !== "" && !chatId.startsWith("local:") ? chatId : null,
    ...(request.user.role ? { userRole: request.user.role } : {}),
    requestFileIds: fileIdsOf(request.metadata.files),
  };
}
