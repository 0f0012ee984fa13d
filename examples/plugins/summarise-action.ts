/**
 * title: Summarise
 * author: Sluice examples
 * version: 1.0.0
 * description: Two buttons under each reply: keep only its key sentences, or show its reading time.
 * required_sluice_version: >=0.1
 */
import { defineAction, z } from "@sluice/sdk";

// Icons are URLs or data: URIs. This one is a small "lines" glyph.
const SUMMARY_ICON =
  "data:image/svg+xml;base64," +
  btoa(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"><path d="M4 6h16M4 12h10M4 18h6"/></svg>',
  );

export default defineAction({
  valves: z.object({
    sentences: z.number().int().min(1).max(10).default(3).describe("Sentences Summarise keeps"),
    wordsPerMinute: z.number().int().min(50).default(230).describe("Reading speed for Reading time"),
  }),
  userValves: z.object({
    askFirst: z.boolean().default(true).describe("Ask me before a reply is replaced by its summary"),
  }),
  // Each entry is its own button, listed as "<plugin id>.<entry id>"; ctx.id says which was pressed.
  actions: [
    { id: "summarise", name: "Summarise", icon_url: SUMMARY_ICON },
    { id: "reading_time", name: "Reading time" },
  ],

  async action(body, ctx) {
    const message = body.messages.find((entry) => entry.id === body.id);
    const text = typeof message?.content === "string" ? message.content.trim() : "";
    if (!text) {
      await ctx.emit({ type: "notification", data: { type: "warning", content: "This message has no text" } });
      return null;
    }

    if (ctx.id.endsWith(".reading_time")) {
      const words = text.split(/\s+/).length;
      const minutes = Math.max(1, Math.round(words / ctx.valves.wordsPerMinute));
      // Anything but { messages } goes back to the caller as it is.
      return { content: `${words} words, about ${minutes} min to read` };
    }

    const summary = keySentences(text, ctx.valves.sentences);
    if (summary === text) {
      await ctx.emit({ type: "notification", data: { type: "info", content: "This reply is already short" } });
      return null;
    }
    // API callers have no browser tab to ask (ctx.call would reject): hand them the summary only.
    if (!ctx.metadata.session_id) return { content: summary };
    if (ctx.user.valves.askFirst) {
      const isSure = await ctx.call({
        type: "confirmation",
        data: { title: "Replace this reply?", message: `Only its ${ctx.valves.sentences} key sentences will be kept.` },
      });
      if (!isSure) return null;
    }
    // { messages: [{ id, …fields }] } updates those messages in the chat.
    return { messages: [{ id: body.id, content: summary }] };
  },
});

/** The `count` sentences whose words recur most in the text, in their original order. */
function keySentences(text: string, count: number): string {
  const sentences = text.replace(/\s+/g, " ").split(/(?<=[.!?])\s+/);
  if (sentences.length <= count) return text;
  const wordsOf = (sentence: string) => (sentence.toLowerCase().match(/\p{L}[\p{L}\p{N}'-]*/gu) ?? []).filter((word) => word.length > 3);
  const frequency = new Map<string, number>();
  for (const word of wordsOf(text)) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  const score = (sentence: string) => {
    const words = wordsOf(sentence);
    return words.reduce((sum, word) => sum + frequency.get(word)!, 0) / Math.max(words.length, 1);
  };
  return sentences
    .map((sentence, index) => ({ sentence, index, score: score(sentence) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, count)
    .sort((a, b) => a.index - b.index)
    .map((entry) => entry.sentence)
    .join(" ");
}
