/**
 * The answer's text as the user sees it: the model's text and, in the order they came, what
 * plugins' `message` events added and `replace` events set, as the browser shows it while the
 * answer streams. What is saved at the end, so an event's text is not lost when the pipe also
 * yields (Open WebUI keeps it too).
 *
 * @example
 * const answer = new AnswerText();
 * answer.applyEvent({ type: "message", data: { content: "Searching…\n" } });
 * answer.append("Found it.");
 * answer.text; // "Searching…\nFound it."
 */
export class AnswerText {
  text = "";

  append(text: string): void {
    this.text += text;
  }

  /** A `message` event appends its `data.content`, a `replace` event sets it; others change nothing. */
  applyEvent(event: { type: string; data?: unknown }): void {
    const content = contentOf(event.data);
    if (content === undefined) return;
    if (event.type === "message") this.text += content;
    else if (event.type === "replace") this.text = content;
  }
}

function contentOf(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const content = (data as { content?: unknown }).content;
  return typeof content === "string" ? content : undefined;
}
