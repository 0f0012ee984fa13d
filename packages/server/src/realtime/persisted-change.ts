import { z } from "zod";
import { SluiceError } from "@sluice/sdk";
import type { ToolCallEntry } from "@sluice/sdk/wire";
import type { StoredMessage } from "../core/ports.ts";

/** How an event changes the stored message; receives the message (created empty when missing). */
export type MessageChange = (message: StoredMessage) => StoredMessage;

const objectData = z.looseObject({});
const contentData = z.looseObject({ content: z.string() });
const filesData = z.looseObject({ files: z.array(z.looseObject({})) });
const embedsData = z.looseObject({ embeds: z.array(z.unknown()), replace: z.boolean().optional() });
const followUpsData = z.looseObject({ follow_ups: z.array(z.string()) });
const sourceData = z.looseObject({ type: z.unknown().optional() });
const toolCallData = z.looseObject({ id: z.string(), name: z.string() });

type FileEntry = Record<string, unknown>;

function fileKey(file: FileEntry): string {
  for (const key of ["id", "url"]) if (typeof file[key] === "string") return `${key}:${file[key]}`;
  return JSON.stringify(file);
}

/** New files first (as Open WebUI prepends), an older entry with the same id or url replaced. */
function mergeFiles(stored: FileEntry[] = [], added: FileEntry[]): FileEntry[] {
  const addedKeys = new Set(added.map(fileKey));
  return [...added, ...stored.filter((file) => !addedKeys.has(fileKey(file)))];
}

/** A tool call's later event (its result) replaces the earlier one (its arguments), in place. */
function mergeToolCall(stored: unknown, call: ToolCallEntry): ToolCallEntry[] {
  const calls = Array.isArray(stored) ? (stored as ToolCallEntry[]) : [];
  const index = calls.findIndex((candidate) => candidate.id === call.id);
  return index < 0 ? [...calls, call] : calls.map((candidate, position) => (position === index ? call : candidate));
}

function parseData<Schema extends z.ZodType>(schema: Schema, type: string, data: unknown): z.output<Schema> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue.path.length > 0 ? `data.${issue.path.join(".")}` : "data";
  throw new SluiceError("INVALID_INPUT", `Invalid "${type}" event: ${where}: ${issue.message}`);
}

/**
 * What an event changes on its chat message, or undefined for the types that
 * are only delivered. `status` appends to `statusHistory`; `message` appends to the content;
 * `replace` sets it; `files` and `chat:message:files` merge into `files`; `embeds` prepends (or
 * replaces with `replace: true`); `chat:message:follow_ups` sets `followUps`; `source`/`citation` append to `sources` unless the data has a
 * `type` (typed ones, such as `code_execution`, are the browser's to save);
 * `chat:message:tool_call` adds or updates (by `id`) an entry of `toolCalls`. Throws INVALID_INPUT
 * when the data of such an event has the wrong shape.
 */
export function persistedChange(event: { type: string; data?: unknown }): MessageChange | undefined {
  const { type } = event;
  switch (type) {
    case "status": {
      const data = parseData(objectData, type, event.data);
      return (message) => ({ ...message, statusHistory: [...(message.statusHistory ?? []), data] });
    }
    case "message": {
      const { content } = parseData(contentData, type, event.data);
      return (message) => ({ ...message, content: message.content + content });
    }
    case "replace": {
      const { content } = parseData(contentData, type, event.data);
      return (message) => ({ ...message, content });
    }
    case "files":
    case "chat:message:files": {
      const { files } = parseData(filesData, type, event.data);
      return (message) => ({ ...message, files: mergeFiles(message.files, files) });
    }
    case "embeds": {
      const { embeds, replace } = parseData(embedsData, type, event.data);
      return (message) => ({ ...message, embeds: replace ? embeds : [...embeds, ...(message.embeds ?? [])] });
    }
    case "chat:message:follow_ups": {
      const { follow_ups: followUps } = parseData(followUpsData, type, event.data);
      return (message) => ({ ...message, followUps });
    }
    case "source":
    case "citation": {
      const data = parseData(sourceData, type, event.data);
      if (data.type !== undefined) return undefined;
      return (message) => ({ ...message, sources: [...(message.sources ?? []), data] });
    }
    case "chat:message:tool_call": {
      const data = parseData(toolCallData, type, event.data);
      return (message) => ({ ...message, toolCalls: mergeToolCall(message.toolCalls, data) });
    }
    default:
      return undefined;
  }
}
