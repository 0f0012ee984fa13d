// What the benchmarks feed the sandbox and the server: plugins written as plugin authors write
// them, an OpenAI stream chunk as the fake upstream sends it, and a 20-message chat body.

/**
 * A filter that does a little real work in each hook and hands the body or chunk on: the cost
 * measured is the sandbox's, not the plugin's.
 */
export const passThroughFilter = `import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  inlet(body) {
    const last = body.messages.at(-1);
    if (last && typeof last.content === "string") last.content = last.content.replaceAll("SECRET", "******");
    return body;
  },
  stream(event) {
    const delta = event.choices[0]?.delta;
    if (delta && typeof delta.content === "string") delta.content = delta.content.replaceAll("SECRET", "******");
    return event;
  },
  outlet(body) {
    const last = body.messages.at(-1);
    if (last && typeof last.content === "string") last.content = last.content.replaceAll("SECRET", "******");
    return body;
  },
});
`;

/**
 * A pipe that streams its answer without calling anything: "You", " said:", " <last user text>",
 * the same three pieces the fake upstream answers with. (A pipe cannot stream from an upstream
 * yet: the server gives plugins no network handler and ctx.fetch returns whole bodies.)
 *
 * With `slow` in the message it streams `count` pieces (default 200) `intervalMs` apart (default
 * 50, the fake upstream's "slow" answer), each piece `t<epoch ms>` stamped when yielded, so a
 * client can tell how long the piece took to reach it.
 */
export const passThroughPipe = `import { definePipe } from "@sluice/sdk";
const text = (message) => (typeof message?.content === "string" ? message.content : "");
export default definePipe({
  async *pipe(body) {
    const said = text(body.messages.findLast((message) => message.role === "user"));
    const slow = /slow(?: (\\d+)x(\\d+))?/.exec(said);
    if (!slow) {
      yield "You";
      yield " said:";
      yield " " + said;
      return;
    }
    const count = Number(slow[1] ?? 200);
    const intervalMs = Number(slow[2] ?? 50);
    const start = Date.now();
    for (let index = 0; index < count; index += 1) {
      const wait = start + index * intervalMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      yield "t" + Date.now() + " ";
    }
  },
});
`;

/**
 * A pipe that passes the conversation to an OpenAI-compatible upstream with `ctx.fetch` and
 * returns its answer (`stream: false`: ctx.fetch hands over whole bodies, so nothing streams
 * through). Needs `PLUGIN_ALLOW_PRIVATE_NETWORK=true` for a loopback upstream.
 */
export function proxyPipe(upstreamBaseUrl: string, model: string): string {
  return `/**
 * title: Proxy pipe
 * permissions: network:${new URL(upstreamBaseUrl).host}
 */
import { definePipe } from "@sluice/sdk";
export default definePipe({
  async pipe(body, ctx) {
    const response = await ctx.fetch(${JSON.stringify(`${upstreamBaseUrl}/chat/completions`)}, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: ${JSON.stringify(model)}, stream: false, messages: body.messages.map((message) => ({ role: message.role, content: message.content })) }),
    });
    if (!response.ok) throw new Error("upstream answered " + response.status);
    const completion = await response.json();
    return completion.choices[0].message.content;
  },
});
`;
}

/** A content chunk as the fake upstream streams it (about 250 bytes of JSON). */
export function streamChunk(content = " said: hello there"): Record<string, unknown> {
  return {
    id: "chatcmpl-fake-1",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model: "fake-small",
    service_tier: "default",
    system_fingerprint: "fp_fake",
    choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
  };
}

const WORDS = "the quick brown fox jumps over a lazy dog while seven wizards quietly judge boxing matches near the old harbour".split(" ");

function sentence(seed: number, words: number): string {
  const picked: string[] = [];
  for (let index = 0; index < words; index += 1) picked.push(WORDS[(seed * 7 + index * 13) % WORDS.length]!);
  return picked.join(" ");
}

/**
 * A chat body as Open WebUI's client sends it, with 20 messages (a system prompt, then user and
 * assistant turns; about 8 KB of JSON).
 */
export function chatBody(messageCount = 20): Record<string, unknown> & { messages: Array<Record<string, unknown>> } {
  const messages: Array<Record<string, unknown>> = [
    { role: "system", content: "You are a helpful assistant. Answer briefly and cite sources." },
  ];
  for (let index = 1; index < messageCount; index += 1) {
    const role = index % 2 === 1 ? "user" : "assistant";
    messages.push({ id: `m${index}`, role, content: sentence(index, role === "user" ? 20 : 90) });
  }
  return {
    model: "fake-small",
    messages,
    stream: true,
    chat_id: "c1",
    id: "m20",
    session_id: "s1",
    features: { web_search: false },
    params: { temperature: 0.7 },
  };
}

/**
 * The same pass-through filter as an Open WebUI function, as its authors write them: a `Filter`
 * class with pydantic `Valves`, `inlet`, `stream` and `outlet` taking the body or event and
 * handing it on. Run by the Python tier (docs/plugins.md, "Python plugins from Open WebUI").
 */
export const pythonPassThroughFilter = `"""
title: Pass-through
author: sluice-bench
version: 1.0
"""
from typing import Optional

from pydantic import BaseModel, Field


class Filter:
    class Valves(BaseModel):
        priority: int = Field(default=0, description="Order among the filters")
        replacement: str = Field(default="******", description="What SECRET becomes")

    def __init__(self):
        self.valves = self.Valves()

    def _redact(self, message: Optional[dict]) -> None:
        if message and isinstance(message.get("content"), str):
            message["content"] = message["content"].replace("SECRET", self.valves.replacement)

    def inlet(self, body: dict, __user__: Optional[dict] = None) -> dict:
        self._redact(body["messages"][-1] if body.get("messages") else None)
        return body

    def stream(self, event: dict) -> dict:
        choices = event.get("choices") or [{}]
        self._redact(choices[0].get("delta"))
        return event

    def outlet(self, body: dict, __user__: Optional[dict] = None) -> dict:
        self._redact(body["messages"][-1] if body.get("messages") else None)
        return body
`;
