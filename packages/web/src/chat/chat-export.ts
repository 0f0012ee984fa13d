import { contentText } from "./content-text.ts";
import { branchOf, treeOfChat } from "./message-tree.ts";
import type { ChatRecord } from "./chat-types.ts";

/** The chat as Markdown: its title, then each message of the branch on screen under `### USER` / `### ASSISTANT`. */
export function chatToMarkdown(chat: ChatRecord): string {
  const messages = branchOf(treeOfChat(chat.chat));
  const sections = messages.map((message) => `### ${message.role.toUpperCase()}\n${contentText(message.content)}`);
  return [`# ${chat.title}`, ...sections].join("\n\n") + "\n";
}

/** A file name from a chat's title: `chat-<title>.<extension>`, unsafe characters dropped. */
export function exportFileName(title: string, extension: string): string {
  const safe = title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, "").trim() || "chat";
  return `chat-${safe}.${extension}`;
}

/** Makes the browser save text as a file. */
export function downloadText(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
