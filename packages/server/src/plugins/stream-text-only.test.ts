import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { hashPluginSource } from "./hash-plugin-source.ts";
import { PluginRegistry } from "./plugin-registry.ts";
import { SDK_VERSION } from "./plugin-versions.ts";

// A filter may declare that its stream hook reads only each chunk's text (`streamTextOnly`):
// only the text crosses, the rest of the chunk is kept, chunks without text pass it by.

const logger = pino({ level: "silent" });
const context = {
  id: "f",
  user: { id: "u1", name: "Ada", email: "a@example.com", role: "user" },
  valves: {},
  userValves: {},
  metadata: {},
  canCall: false,
};

const content = `import { defineFilter } from "@sluice/sdk";
export default defineFilter({
  streamTextOnly: true,
  stream(event) {
    const text = event.choices[0].delta.content;
    if (text === "drop me") return null;
    if (text === "show me") return { choices: [{ index: 0, delta: { content: JSON.stringify(event) } }] };
    event.choices[0].delta.content = text.toUpperCase();
  },
});`;

describe("a filter whose stream hook reads only the text", () => {
  let registry: PluginRegistry;
  afterEach(() => registry?.dispose());

  it("changes the text of whole chunks, sees nothing else, and lets chunks without text pass", async () => {
    registry = new PluginRegistry({ logger });
    const { sandbox, descriptor } = await registry.get("function", {
      id: "f",
      content,
      content_hash: hashPluginSource(content, "", SDK_VERSION),
    });
    expect(descriptor.streamTextOnly).toBe(true);
    const session = sandbox.openStreamFilter({ context });
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      model: "fake-small",
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    });
    expect(await session.transform(chunk({ role: "assistant", content: "hello" }))).toEqual(chunk({ role: "assistant", content: "HELLO" }));
    expect(await session.transform(chunk({ content: "show me" }))).toEqual(
      chunk({ content: JSON.stringify({ choices: [{ index: 0, delta: { content: "show me" } }] }) }),
    );
    expect(await session.transform(chunk({ content: "drop me" }))).toBeNull();
    // No text: the hook is not asked (it would have failed on the missing content).
    expect(session.transform(chunk({}, "stop"))).toEqual(chunk({}, "stop"));
    const usage = { id: "chatcmpl-1", choices: [], usage: { total_tokens: 3 } };
    expect(session.transform(usage)).toBe(usage);
    session.close();
  });

  it("refuses a streamTextOnly that is not true or false", async () => {
    registry = new PluginRegistry({ logger });
    const bad = content.replace("streamTextOnly: true", 'streamTextOnly: "yes"');
    await expect(registry.get("function", { id: "f", content: bad, content_hash: hashPluginSource(bad, "", SDK_VERSION) })).rejects.toThrow(
      /"streamTextOnly" must be true or false, got a string/,
    );
  });
});
