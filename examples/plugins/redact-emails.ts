/**
 * title: Redact E-mail Addresses
 * author: Sluice examples
 * version: 1.0.0
 * description: Replaces e-mail addresses in user messages before the model sees them, and in the model's streamed reply.
 * required_sluice_version: >=0.1
 */
import { defineFilter, z, type ChatMessage } from "@sluice/sdk";

// The lookbehind starts a match only at the beginning of a word, so a long run of letters without
// an "@" is scanned once, not once per letter (plugins have a CPU time limit per call).
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,63}/g;
// A streamed chunk may end in the middle of an address ("ada.love" + "lace@example.com"), so the
// run of address characters at the end of a chunk is held back and put in front of the next one.
// That delays the reply by about a word; the reply's last chunk (finish_reason set) lets out what
// is held. Addresses are at most 254 characters, so no more is held.
const ADDRESS_CHARACTER = /[A-Za-z0-9._%+@-]/;
const MAX_ADDRESS_LENGTH = 254;
// Held-back text per streamed reply. It lives in this plugin's isolate, which serves every chat;
// the cap bounds what replies that never finished (a client that left) can leave behind.
const MAX_HELD_REPLIES = 500;
const held = new Map<string, string>();

export default defineFilter({
  valves: z.object({
    priority: z.number().default(0).describe("Filters run in ascending priority, then by id"),
    replacement: z.string().default("[email hidden]").describe("Text put in place of each address"),
  }),
  userValves: z.object({
    enabled: z.boolean().default(true).describe("Hide e-mail addresses in my chats"),
  }),

  async inlet(body, ctx) {
    if (!ctx.user.valves.enabled) return; // undefined: the body goes on unchanged
    let count = 0;
    const redact = (text: string): string =>
      text.replace(EMAIL, () => {
        count++;
        return ctx.valves.replacement;
      });
    for (const message of body.messages) {
      if (message.role === "user") message.content = redactContent(message.content, redact);
    }
    if (count > 0) {
      await ctx.emit({
        type: "status",
        data: { description: `Hid ${count} e-mail address${count === 1 ? "" : "es"} from the model`, done: true },
      });
    }
    return body;
  },

  stream(event, ctx) {
    if (!ctx.user.valves.enabled) return;
    let hasSomethingToShow = event.choices.length === 0; // e.g. a usage-only chunk
    for (const choice of event.choices) {
      const key = `${ctx.metadata.message_id ?? ""}/${event.id ?? ""}/${choice.index}`;
      const text = takeHeld(key) + (choice.delta.content ?? "");
      // A reply's last chunk (finish_reason set) flushes everything.
      const tail = choice.finish_reason ? "" : trailingAddressText(text);
      if (tail) hold(key, tail);
      const ready = text.slice(0, text.length - tail.length);
      if (typeof choice.delta.content === "string" || ready) choice.delta.content = ready.replace(EMAIL, ctx.valves.replacement);
      const hasOtherFields = Object.keys(choice.delta).some((field) => field !== "content");
      if (ready || choice.finish_reason || hasOtherFields) hasSomethingToShow = true;
    }
    // Returning null drops the chunk: all of its text is held back for now.
    return hasSomethingToShow ? event : null;
  },
});

function redactContent(content: ChatMessage["content"], redact: (text: string) => string): ChatMessage["content"] {
  if (typeof content === "string") return redact(content);
  if (!Array.isArray(content)) return content;
  return content.map((part) => (part.type === "text" && typeof part.text === "string" ? { ...part, text: redact(part.text) } : part));
}

function trailingAddressText(text: string): string {
  let start = text.length;
  while (start > 0 && text.length - start < MAX_ADDRESS_LENGTH && ADDRESS_CHARACTER.test(text[start - 1]!)) start--;
  return text.slice(start);
}

function takeHeld(key: string): string {
  const text = held.get(key) ?? "";
  held.delete(key);
  return text;
}

function hold(key: string, text: string): void {
  if (held.size >= MAX_HELD_REPLIES) held.delete(held.keys().next().value!);
  held.set(key, text);
}
