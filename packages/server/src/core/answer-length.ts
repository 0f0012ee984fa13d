import { SluiceError, type StreamEvent } from "@sluice/sdk";

/**
 * Characters of text one chunk adds to an answer: content, reasoning and tool-call names and
 * arguments, of every choice. What the server keeps and sends grows by about this much.
 */
export function chunkTextLength(chunk: StreamEvent): number {
  let length = 0;
  for (const choice of chunk.choices ?? []) {
    const delta = choice.delta ?? {};
    if (typeof delta.content === "string") length += delta.content.length;
    if (typeof delta.reasoning_content === "string") length += delta.reasoning_content.length;
    if (typeof delta.reasoning === "string") length += delta.reasoning.length;
    for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
      length += (call.function?.name?.length ?? 0) + (call.function?.arguments?.length ?? 0);
    }
  }
  return length;
}

/** Counts an answer's text across its turns and stops it past `maxCharacters` (`CHAT_RESPONSE_MAX_CHARACTERS`). */
export class AnswerLength {
  readonly #maxCharacters: number;
  #length = 0;

  constructor(maxCharacters: number) {
    this.#maxCharacters = maxCharacters;
  }

  /** Adds a chunk; throws PAYLOAD_TOO_LARGE (the chunk not taken) when the answer would pass the limit. */
  add(chunk: StreamEvent): void {
    const next = this.#length + chunkTextLength(chunk);
    if (next > this.#maxCharacters) {
      throw new SluiceError(
        "PAYLOAD_TOO_LARGE",
        `The answer was stopped: it grew past ${this.#maxCharacters} characters (CHAT_RESPONSE_MAX_CHARACTERS). What came before is kept.`,
      );
    }
    this.#length = next;
  }
}
