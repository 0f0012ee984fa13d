/**
 * What the server sends on socket.io channel `events`, as Open WebUI does: the chat and message
 * an event belongs to (null when it belongs to none), and the event itself.
 *
 * @example
 * const envelope: EventEnvelope = { chat_id: "c1", message_id: "m1", data: { type: "status", data: { description: "Searching…" } } };
 */
export interface EventEnvelope {
  chat_id: string | null;
  message_id: string | null;
  data: { type: string; data?: unknown };
}

/** The room every socket of a user joins, so that one emit reaches all the user's tabs. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}
