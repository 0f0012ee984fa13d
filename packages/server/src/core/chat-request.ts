import { z } from "zod";

const contentPartSchema = z.looseObject({ type: z.string() });

const messageSchema = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool"], {
    message: 'role must be one of "system", "developer", "user", "assistant", "tool"',
  }),
  content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
  id: z.string().optional(),
  tool_calls: z.array(z.looseObject({})).optional(),
  tool_call_id: z.string().optional(),
  name: z.string().optional(),
});

/** `POST /api/chat/completions`: an OpenAI chat request plus Open WebUI's fields. */
export const chatRequestSchema = z.looseObject({
  model: z.string().min(1, "model is required"),
  messages: z.array(messageSchema).min(1, "messages must hold at least one message"),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(z.looseObject({})).optional(),
  chat_id: z.string().nullish(),
  id: z.string().nullish(),
  session_id: z.string().nullish(),
  filter_ids: z.array(z.string()).nullish(),
  tool_ids: z.array(z.string()).nullish(),
  files: z.array(z.unknown()).nullish(),
  features: z.record(z.string(), z.unknown()).nullish(),
  background_tasks: z.record(z.string(), z.unknown()).nullish(),
});

export type ChatRequest = z.output<typeof chatRequestSchema>;

/** Open WebUI's request fields: they go into `ctx.metadata`, never to the model. */
const INTERNAL_FIELDS = [
  "chat_id",
  "id",
  "session_id",
  "filter_ids",
  "tool_ids",
  "tool_servers",
  "files",
  "features",
  "background_tasks",
  "variables",
  "metadata",
  "model_item",
  "params",
  "skill_ids",
  "user_message_id",
] as const;

/** The body plugins and the model see: the OpenAI request without Open WebUI's fields. */
export function modelBody(request: ChatRequest): Record<string, unknown> & { model: string; messages: Record<string, unknown>[] } {
  const body: Record<string, unknown> = { ...request };
  for (const field of INTERNAL_FIELDS) delete body[field];
  return body as Record<string, unknown> & { model: string; messages: Record<string, unknown>[] };
}
