/** Settings Open WebUI keeps in a model's params that are not request fields. */
const NON_REQUEST_PARAMS = new Set(["system", "function_calling", "stream_response", "stream_delta_chunk_size", "reasoning_tags"]);

/**
 * A model row's `params` (a custom model's settings): its `system` prompt goes first in the
 * system message, and its request fields (temperature, max_tokens, …) apply unless the request
 * set them itself.
 *
 * @example
 * applyModelParams({ messages: [{ role: "user", content: "hi" }] }, { system: "Be brief.", temperature: 0.2 });
 * // { messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }], temperature: 0.2 }
 */
export function applyModelParams<Body extends Record<string, unknown> & { messages: Record<string, unknown>[] }>(
  body: Body,
  params: Record<string, unknown> | undefined,
): Body {
  if (!params) return body;
  const next: Record<string, unknown> = { ...body };
  for (const [key, value] of Object.entries(params)) {
    if (!NON_REQUEST_PARAMS.has(key) && next[key] === undefined && value !== null && value !== undefined) next[key] = value;
  }
  const system = typeof params.system === "string" ? params.system.trim() : "";
  if (system) {
    const [first, ...rest] = body.messages;
    next.messages =
      first?.role === "system" && typeof first.content === "string"
        ? [{ ...first, content: `${system}\n\n${first.content}` }, ...rest]
        : [{ role: "system", content: system }, ...body.messages];
  }
  return next as Body;
}
