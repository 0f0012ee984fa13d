/**
 * A model's reasoning (`reasoning_content` deltas) as Open WebUI saves it in the answer's text:
 * a `<details type="reasoning">` block with the seconds spent thinking, its lines quoted.
 *
 * @example
 * reasoningBlock("Two plus two…", 3);
 * // '<details type="reasoning" done="true" duration="3">\n<summary>Thought for 3 seconds</summary>\n> Two plus two…\n</details>\n'
 */
export function reasoningBlock(reasoning: string, seconds: number): string {
  const duration = Math.max(0, Math.round(seconds));
  const quoted = reasoning
    .trim()
    .split("\n")
    .map((line) => (line ? `> ${line}` : ">"))
    .join("\n");
  return `<details type="reasoning" done="true" duration="${duration}">\n<summary>Thought for ${duration} seconds</summary>\n${quoted}\n</details>\n`;
}

/** Collects a round's reasoning deltas until the answer's text starts, then gives them once as a block. */
export class ReasoningCollector {
  private text = "";
  private startedAt = 0;

  /** Notes a chunk's reasoning delta (`reasoning_content`, or `reasoning` as some servers name it). */
  add(delta: { reasoning_content?: unknown; reasoning?: unknown } | undefined): void {
    const piece = delta?.reasoning_content ?? delta?.reasoning;
    if (typeof piece !== "string" || piece === "") return;
    if (this.text === "") this.startedAt = Date.now();
    this.text += piece;
  }

  /** The block for the reasoning collected so far ("" when none), and starts over. */
  take(): string {
    if (this.text.trim() === "") return "";
    const block = reasoningBlock(this.text, (Date.now() - this.startedAt) / 1000);
    this.text = "";
    return block;
  }
}
