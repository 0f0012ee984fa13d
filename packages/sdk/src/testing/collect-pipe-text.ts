import type { HookOutput } from "../runtime/run-hook.ts";

/**
 * The reply text of a pipe's output, as a chat would show it: a returned string, the message of a
 * returned `chat.completion`, or the concatenated deltas of yielded strings and chunks (strings
 * starting with `data:` are read as SSE lines, as Open WebUI does).
 *
 * @example
 * collectPipeText({ value: null, chunks: ["Hel", { choices: [{ index: 0, delta: { content: "lo" } }] }] }); // "Hello"
 */
export function collectPipeText(output: HookOutput): string {
  if (output.chunks) return output.chunks.map(chunkText).join("");
  if (typeof output.value === "string") return output.value;
  if (output.value === null) return "";
  const choices = (output.value as { choices?: Array<{ message?: { content?: unknown } }> }).choices;
  const content = choices?.[0]?.message?.content;
  return typeof content === "string" ? content : "";
}

function chunkText(chunk: unknown): string {
  if (typeof chunk === "string") {
    if (!chunk.startsWith("data:")) return chunk;
    const data = chunk.slice(5).trim();
    if (data === "[DONE]" || data === "") return "";
    try {
      return chunkText(JSON.parse(data));
    } catch {
      return "";
    }
  }
  const choices = (chunk as { choices?: Array<{ delta?: { content?: unknown } }> }).choices ?? [];
  return choices.map((choice) => (typeof choice.delta?.content === "string" ? choice.delta.content : "")).join("");
}
