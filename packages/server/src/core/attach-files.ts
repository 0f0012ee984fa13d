import { SluiceError } from "@sluice/sdk";
import type { ChatRequest } from "./chat-request.ts";
import { fileIdsOf } from "./file-references.ts";
import type { AttachedFile, FileSource, TurnUser } from "./ports.ts";

/** Image types vision models take as image parts; other images (SVG) are text or a mention. */
const VISION_IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** Most characters of file text a turn adds to the model's messages, all files together. */
export const MAX_ATTACHED_TEXT_CHARACTERS = 200_000;

/** The path of a stored file, as image parts and `files` entries point at it. */
const FILE_PATH = /^\/api\/v1\/files\/([0-9a-fA-F-]{36})(?:\/content)?(?:[?#].*)?$/;

/** The files a request attaches, opened (and so checked) before any plugin runs. */
export interface Attachments {
  /** The request's `files` entries that name a stored file, in order. */
  files: AttachedFile[];
  /** Stored files that image parts of the messages point at, by the part's URL. */
  images: Map<string, AttachedFile>;
}

export const NO_ATTACHMENTS: Attachments = { files: [], images: new Map() };

/**
 * Opens every stored file the request names, in `files` (`{type: "file", id}`) or as the URL of
 * an image part (`/api/v1/files/{id}/content`, or that path under `baseUrl`): each must be one the
 * user may read, else the request fails with NOT_FOUND naming the id, before any plugin sees it.
 *
 * @example
 * const attachments = await openAttachments(ports.files, user, request, input.requestFacts?.baseUrl);
 */
export async function openAttachments(
  source: FileSource | undefined,
  user: TurnUser,
  request: Pick<ChatRequest, "files" | "messages">,
  baseUrl?: string,
): Promise<Attachments> {
  const fileIds = fileIdsOf(request.files);
  const imageUrls = storedImageUrls(request.messages, baseUrl);
  if (fileIds.length === 0 && imageUrls.size === 0) return NO_ATTACHMENTS;
  if (!source) throw new SluiceError("INVALID_INPUT", "This server does not take attached files");
  const opened = new Map<string, Promise<AttachedFile>>();
  const open = (id: string) => {
    let file = opened.get(id);
    if (!file) opened.set(id, (file = source.open(user, id)));
    return file;
  };
  const files = await Promise.all(fileIds.map(open));
  const images = new Map<string, AttachedFile>();
  for (const [url, id] of imageUrls) images.set(url, await open(id));
  return { files, images };
}

/**
 * Puts the attached files into the body the model gets. Image parts that point at stored files
 * get the file as a `data:` URL (an upstream cannot fetch this server's URLs). Unless a filter
 * handles files itself (`handlesFiles`), the request's files go into its last user message:
 * images as image parts, text-like files and PDFs as their text in an `<attached_files>` block
 * before the question, other files as a mention of their name and type.
 *
 * @example
 * body = await attachFiles(body, attachments, { handlesFiles: filters.some((filter) => filter.isFileHandler) });
 */
export async function attachFiles<Body extends { messages: unknown[] }>(
  body: Body,
  attachments: Attachments,
  options: { handlesFiles: boolean },
): Promise<Body> {
  let messages = attachments.images.size > 0 ? await inlineImageParts(body.messages, attachments.images) : body.messages;
  if (!options.handlesFiles && attachments.files.length > 0) messages = await addToLastUserMessage(messages, attachments.files);
  return messages === body.messages ? body : { ...body, messages };
}

function storedImageUrls(messages: readonly unknown[], baseUrl: string | undefined): Map<string, string> {
  const urls = new Map<string, string>();
  for (const part of imageParts(messages)) {
    const id = storedFileId(part.image_url.url, baseUrl);
    if (id) urls.set(part.image_url.url, id);
  }
  return urls;
}

function storedFileId(url: string, baseUrl: string | undefined): string | undefined {
  const path = baseUrl && url.startsWith(`${baseUrl}/`) ? url.slice(baseUrl.length) : url;
  return FILE_PATH.exec(path)?.[1]?.toLowerCase();
}

type ImagePart = { type: "image_url"; image_url: { url: string } };

function isImagePart(part: unknown): part is ImagePart {
  const candidate = part as Partial<ImagePart> | null;
  return candidate?.type === "image_url" && typeof candidate.image_url?.url === "string";
}

function* imageParts(messages: readonly unknown[]): Generator<ImagePart> {
  for (const message of messages) {
    const content = (message as { content?: unknown } | null)?.content;
    if (Array.isArray(content)) for (const part of content) if (isImagePart(part)) yield part;
  }
}

async function inlineImageParts(messages: unknown[], images: Map<string, AttachedFile>): Promise<unknown[]> {
  return Promise.all(
    messages.map(async (message) => {
      const content = (message as { content?: unknown } | null)?.content;
      if (!Array.isArray(content) || !content.some((part) => isImagePart(part) && images.has(part.image_url.url))) return message;
      const parts = await Promise.all(
        content.map(async (part) => {
          const file = isImagePart(part) ? images.get(part.image_url.url) : undefined;
          return file ? { ...part, image_url: { ...part.image_url, url: await file.dataUrl() } } : part;
        }),
      );
      return { ...(message as object), content: parts };
    }),
  );
}

async function addToLastUserMessage(messages: unknown[], files: AttachedFile[]): Promise<unknown[]> {
  const index = messages.findLastIndex((message) => (message as { role?: unknown } | null)?.role === "user");
  if (index < 0) return messages;
  const images = files.filter((file) => VISION_IMAGE_TYPES.has(file.contentType));
  const block = await contextBlock(files.filter((file) => !VISION_IMAGE_TYPES.has(file.contentType)));
  const message = messages[index] as { content?: unknown };
  const parts = toParts(message.content);
  const content = [
    ...(block ? [{ type: "text", text: block }] : []),
    ...parts,
    ...(await Promise.all(images.map(async (file) => ({ type: "image_url", image_url: { url: await file.dataUrl() } })))),
  ];
  // Plain text stays a string when nothing but text was added, as text-only models expect.
  const isText = content.every((part) => part.type === "text");
  const next = { ...message, content: isText ? content.map((part) => (part as unknown as { text: string }).text).join("\n\n") : content };
  return messages.map((original, position) => (position === index ? next : original));
}

function toParts(content: unknown): Array<{ type: string; [key: string]: unknown }> {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  return Array.isArray(content) ? (content as Array<{ type: string }>) : [];
}

async function contextBlock(files: AttachedFile[]): Promise<string | undefined> {
  if (files.length === 0) return undefined;
  let budget = MAX_ATTACHED_TEXT_CHARACTERS;
  const entries: string[] = [];
  for (const file of files) {
    const attributes = `name="${escapeAttribute(file.name)}" type="${escapeAttribute(file.contentType)}"`;
    const text = await file.text();
    if (text === undefined) {
      entries.push(`<file ${attributes} size="${file.size}">(binary content, not shown)</file>`);
      continue;
    }
    const shown = text.length <= budget ? text : `${budget > 0 ? `${text.slice(0, budget)}\n` : ""}[… the rest of this file was left out]`;
    budget = Math.max(0, budget - text.length);
    entries.push(`<file ${attributes}>\n${shown}\n</file>`);
  }
  return `<attached_files>\n${entries.join("\n")}\n</attached_files>`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}
