/**
 * A message's content as text to show: a string as it is, or OpenAI's list of parts (which the
 * API stores unchanged) as its text parts, with a mark for each image.
 *
 * @example
 * contentText([{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url } }]); // "What is this?\n[image]"
 */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return content === null || content === undefined ? "" : String(content);
  return content
    .map((part: { type?: unknown; text?: unknown }) =>
      part?.type === "text" && typeof part.text === "string" ? part.text : part?.type === "image_url" ? "[image]" : "",
    )
    .filter((text) => text !== "")
    .join("\n");
}
