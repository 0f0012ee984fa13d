/**
 * Whether a stored chat's JSON lists a file: in the chat's own `files`, or in a message's
 * `files` (in `messages` or `history.messages`), as Open WebUI writes them: `{type: "file", id}`,
 * `{file: {id}}`, or `{url: "/api/v1/files/<id>/content"}`.
 */
export function chatListsFile(chat: unknown, fileId: string): boolean {
  if (!isObject(chat)) return false;
  const messages = [
    ...asArray(chat.messages),
    ...(isObject(chat.history) && isObject(chat.history.messages) ? Object.values(chat.history.messages) : []),
  ];
  const lists = [chat.files, ...messages.map((message) => (isObject(message) ? message.files : undefined))];
  return lists.some((files) => asArray(files).some((entry) => entryNamesFile(entry, fileId)));
}

function entryNamesFile(entry: unknown, fileId: string): boolean {
  if (!isObject(entry)) return false;
  if (entry.id === fileId) return true;
  if (isObject(entry.file) && entry.file.id === fileId) return true;
  if (typeof entry.url !== "string") return false;
  const at = entry.url.indexOf(`/api/v1/files/${fileId}`);
  return at >= 0 && /^(?:[/?#]|$)/.test(entry.url.slice(at + `/api/v1/files/${fileId}`.length));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
