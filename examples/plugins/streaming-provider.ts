/**
 * title: Streaming Provider
 * author: Sluice examples
 * version: 1.0.0
 * description: One model answered by an OpenAI-compatible API, streamed to the chat token by token.
 * permissions: network:api.openai.com
 * required_sluice_version: >=0.1
 */
// The shape of every provider pipe (Anthropic, Gemini, OpenRouter, a local vLLM…): ask the
// upstream for a stream, read its server-sent events as they arrive with `response.events()`,
// and yield each piece of text. Sluice sends each piece to the client as soon as it is yielded,
// and stops the upstream request when the client goes away. For another provider, change the
// `baseUrl` valve and the `permissions` line to match (private addresses also need
// PLUGIN_ALLOW_PRIVATE_NETWORK=true on the server).
import { definePipe, SluiceError, z } from "@sluice/sdk";

const valves = z.object({
  baseUrl: z.url().default("https://api.openai.com/v1").describe("API root, without /chat/completions"),
  apiKey: z
    .string()
    .default("")
    .describe("Sent as a Bearer token")
    .meta({ input: { type: "password" } }),
  model: z.string().default("gpt-4o-mini").describe("The upstream's model id"),
});

interface StreamChunk {
  choices?: Array<{ delta?: { content?: string | null } }>;
  error?: { message?: string };
}

export default definePipe({
  valves,

  async *pipe(body, ctx) {
    const { baseUrl, apiKey, model } = ctx.valves;
    if (!apiKey) throw new SluiceError("VALVES_INVALID", "Set the apiKey valve before using this model");

    const response = await ctx.fetch(`${baseUrl.replace(/\/+$/, "")}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({
        model,
        stream: true,
        messages: body.messages.map(({ role, content }) => ({ role, content })),
      }),
    });
    if (!response.ok) {
      throw new SluiceError("UPSTREAM_ERROR", `${model} answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
    }

    // Each event is read from the network only when the loop asks for it; leaving the loop early
    // (or the chat being stopped) closes the upstream connection.
    for await (const event of response.events()) {
      if (event.data === "[DONE]") return;
      const chunk = JSON.parse(event.data) as StreamChunk;
      if (chunk.error)
        throw new SluiceError("UPSTREAM_ERROR", `${model} failed while answering: ${chunk.error.message ?? "unknown error"}`);
      const text = chunk.choices?.[0]?.delta?.content;
      if (text) yield text;
    }
  },
});
