/**
 * title: Model summary
 * author: Sluice examples
 * version: 1.0.0
 * description: A button under each reply that asks a model for a short summary of it.
 * required_sluice_version: >=0.1
 */
import { defineAction, SluiceError, z } from "@sluice/sdk";

export default defineAction({
  valves: z.object({
    model: z.string().default("").describe("Model that writes summaries; empty: the server's task model, else the chat's model"),
    sentences: z.number().int().min(1).max(5).default(2).describe("Sentences in a summary"),
    runFilters: z.boolean().default(true).describe("Run the summarising model's filters, as a chat with it would"),
  }),

  async action(body, ctx) {
    const message = body.messages.find((entry) => entry.id === body.id);
    const text = typeof message?.content === "string" ? message.content.trim() : "";
    if (!text) {
      await ctx.emit({ type: "notification", data: { type: "warning", content: "This message has no text" } });
      return null;
    }
    await ctx.emit({ type: "status", data: { description: "Summarising…", done: false } });
    const model = ctx.valves.model || ctx.models.task || body.model;
    let summary: string;
    try {
      // Runs through the server's own pipeline as ctx.user: a model they may not use is refused.
      const reply = await ctx.models.complete(
        {
          model,
          messages: [
            { role: "system", content: `Summarise the text the user sends in at most ${ctx.valves.sentences} sentences.` },
            { role: "user", content: text },
          ],
          temperature: 0,
        },
        { filters: ctx.valves.runFilters },
      );
      summary = String(reply.choices[0]?.message.content ?? "").trim();
    } catch (error) {
      const reason = SluiceError.isInstance(error) ? error.message : String(error);
      await ctx.emit({ type: "status", data: { description: "Summary failed", done: true } });
      await ctx.emit({ type: "notification", data: { type: "error", content: `No summary: ${reason}` } });
      return null;
    }
    await ctx.emit({ type: "status", data: { description: `Summarised by ${model}`, done: true } });
    // API callers get the summary; in the browser it is added under the reply.
    if (!ctx.metadata.session_id) return { content: summary };
    return { messages: [{ id: body.id, content: `${text}\n\n> **Summary:** ${summary}` }] };
  },
});
