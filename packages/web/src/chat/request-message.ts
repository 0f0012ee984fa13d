import type { ChatMessage, FileEntry, MessageContentPart } from "./chat-types.ts";

function imagesOf(message: ChatMessage): FileEntry[] {
  return (message.files ?? []).filter((file) => file.type === "image" && typeof file.url === "string");
}

/**
 * What the model and plugins see of a message (the server parses and trusts nothing more): a
 * user message with images gets them as OpenAI image parts after its text, as Open WebUI sends them.
 *
 * @example
 * requestMessage({ role: "user", content: "What is this?", files: [{ type: "image", url: "data:image/png;base64,…" }], … });
 * // { role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:…" } }] }
 */
export function requestMessage(message: ChatMessage): { role: string; content: ChatMessage["content"] } {
  const images = message.role === "user" ? imagesOf(message) : [];
  if (images.length === 0) return { role: message.role, content: message.content };
  const text = typeof message.content === "string" ? message.content : "";
  const parts: MessageContentPart[] = [
    ...(typeof message.content === "string" ? (text ? [{ type: "text", text }] : []) : message.content),
    ...images.map((image) => ({ type: "image_url", image_url: { url: image.url! } })),
  ];
  return { role: message.role, content: parts };
}

/**
 * The request's `files`: the stored files attached to the branch's user messages, each once, so
 * a later question about a file still has it (images travel as image parts instead).
 */
export function requestFiles(messages: readonly ChatMessage[]): FileEntry[] {
  const seen = new Set<string>();
  const files: FileEntry[] = [];
  for (const message of messages) {
    if (message.role !== "user") continue;
    for (const file of message.files ?? []) {
      if (file.type !== "file" || typeof file.id !== "string" || seen.has(file.id)) continue;
      seen.add(file.id);
      files.push({ type: "file", id: file.id, name: file.name, size: file.size });
    }
  }
  return files;
}
