import { memo, useMemo } from "react";
import type { ChatMessage } from "./chat-types.ts";
import { contentText } from "./content-text.ts";
import { DetailsBlock, StreamedReasoning } from "./details-block.tsx";
import { LazyMarkdown as MarkdownContent } from "./lazy-markdown.tsx";
import { splitRichContent } from "./split-rich-content.ts";

const renderMarkdown = (text: string) => <MarkdownContent text={text} />;

/** The reasoning this page received as `reasoning_content` deltas while streaming (see `applyCompletionUpdate`). */
export interface StreamedReasoningFields {
  reasoningContent?: string;
  /** Epoch ms of the first reasoning delta and of the first answer text after it. */
  reasoningStartedAt?: number;
  reasoningEndedAt?: number;
}

/** Whether a message has something for {@link RichContent} to show. */
export function hasRichContent(message: ChatMessage): boolean {
  return Boolean(contentText(message.content) || (message as StreamedReasoningFields).reasoningContent);
}

/**
 * An answer's text: Markdown, with its `<details>` and `<think>` blocks shown collapsed
 * (reasoning as "Thought for N seconds", tool calls with their arguments and result), and the
 * reasoning streamed as `reasoning_content` first, until the saved answer carries its own block.
 */
export const RichContent = memo(function RichContent({ message }: { message: ChatMessage }) {
  const text = contentText(message.content);
  const segments = useMemo(() => splitRichContent(text), [text]);
  const streamed = message as StreamedReasoningFields;
  const hasOwnReasoning = segments.some((segment) => segment.kind === "details" && segment.type === "reasoning");
  return (
    <>
      {streamed.reasoningContent && !hasOwnReasoning && (
        <StreamedReasoning
          text={streamed.reasoningContent}
          startedAt={streamed.reasoningStartedAt}
          endedAt={streamed.reasoningEndedAt ?? (message.done === false ? undefined : streamed.reasoningStartedAt)}
          renderBody={renderMarkdown}
        />
      )}
      {segments.map((segment, index) =>
        segment.kind === "markdown" ? (
          <MarkdownContent key={index} text={segment.text} />
        ) : (
          <DetailsBlock key={index} segment={segment} renderBody={renderMarkdown} />
        ),
      )}
    </>
  );
});
