/**
 * title: OpenAI Manifold
 * author: Sluice examples
 * version: 1.0.0
 * description: One model per entry of the "models" valve, answered by an OpenAI-compatible API.
 * permissions: network:api.openai.com
 * required_sluice_version: >=0.1
 */
// `permissions` lists the hosts ctx.fetch may reach; every other host is refused. An admin who
// points `baseUrl` at another provider changes that line to match, e.g.
// `permissions: network:openrouter.ai` or `network:*.example.com`. Private and loopback addresses
// (a local Ollama or vLLM) also need PLUGIN_ALLOW_PRIVATE_NETWORK=true on the server.
import { definePipe, SluiceError, z, type ChatBody } from "@sluice/sdk";

// OpenAI refuses unknown request fields, and the body also carries Sluice's own (chat_id,
// session_id, files, …), so only these are passed on.
const FORWARDED_FIELDS = [
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "seed",
  "tools",
  "tool_choice",
  "response_format",
];
const MESSAGE_FIELDS = ["role", "content", "name", "tool_calls", "tool_call_id"];

const valves = z.object({
  baseUrl: z.url().default("https://api.openai.com/v1").describe("API root, without /chat/completions"),
  apiKey: z
    .string()
    .default("")
    .describe("Sent as a Bearer token")
    .meta({ input: { type: "password" } }),
  models: z.string().default("gpt-4o-mini,gpt-4.1").describe("Model ids, separated by commas"),
  namePrefix: z.string().default("OpenAI: ").describe("Shown before each model's name"),
});

// Entry ids may not contain "." (Sluice lists a manifold entry as "<plugin id>.<entry id>"), so
// "gpt-4.1" is listed as "gpt-4_1" and mapped back when a request comes in.
const toEntryId = (model: string): string => model.replaceAll(".", "_");
const modelIds = (list: string): string[] => [
  ...new Set(
    list
      .split(",")
      .map((model) => model.trim())
      .filter(Boolean),
  ),
];

export default definePipe({
  valves,
  pipes: (ctx) => modelIds(ctx.valves.models).map((model) => ({ id: toEntryId(model), name: `${ctx.valves.namePrefix}${model}` })),

  async pipe(body, ctx) {
    const model = modelIds(ctx.valves.models).find((id) => toEntryId(id) === ctx.metadata.subModel);
    if (!model) throw new SluiceError("NOT_FOUND", `"${ctx.metadata.subModel}" is not in this manifold's models valve`);
    if (!ctx.valves.apiKey) throw new SluiceError("VALVES_INVALID", "Set the apiKey valve before using these models");

    const response = await ctx.fetch(`${ctx.valves.baseUrl.replace(/\/+$/, "")}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${ctx.valves.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(toUpstreamRequest(body, model)),
    });
    if (!response.ok) {
      const detail = await response.text();
      throw new SluiceError("UPSTREAM_ERROR", `${model} answered ${response.status}: ${errorMessageOf(detail)}`);
    }
    const completion = await response.json<{ choices?: Array<{ message?: { content?: string | null } }> }>();
    // Returning the text is enough: Sluice turns it into an OpenAI answer, streamed when the client
    // asked for a stream. Return `completion` itself instead to pass on usage and tool calls.
    return completion.choices?.[0]?.message?.content ?? "";
  },
});

function toUpstreamRequest(body: ChatBody, model: string): Record<string, unknown> {
  const request: Record<string, unknown> = {
    model,
    stream: false,
    messages: body.messages.map((message) =>
      Object.fromEntries(MESSAGE_FIELDS.filter((field) => message[field] !== undefined).map((field) => [field, message[field]])),
    ),
  };
  for (const field of FORWARDED_FIELDS) if (body[field] !== undefined) request[field] = body[field];
  return request;
}

function errorMessageOf(detail: string): string {
  try {
    const parsed = JSON.parse(detail) as { error?: { message?: string } };
    return parsed.error?.message ?? detail.slice(0, 500);
  } catch {
    return detail.slice(0, 500);
  }
}
