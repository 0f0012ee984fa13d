import { z } from "zod";

/** The body the UI sends for actions and the legacy outlet (`/api/chat/actions/{id}`, `/api/chat/completed`). */
export const messagesBodySchema = z.looseObject({
  model: z.string().min(1, "model is required"),
  messages: z.array(z.looseObject({ role: z.string().optional(), content: z.unknown().optional(), id: z.string().optional() })),
  chat_id: z.string().nullish(),
  session_id: z.string().nullish(),
  id: z.string().nullish(),
  filter_ids: z.array(z.string()).nullish(),
});

export type MessagesBody = z.output<typeof messagesBodySchema>;
