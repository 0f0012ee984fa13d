import { memo, type ReactNode } from "react";
import { Spinner } from "../ui/spinner.tsx";
import type { ChatMessage } from "./chat-types.ts";
import { contentText } from "./content-text.ts";
import { EmbedFrames } from "./embed-frames.tsx";
import { FollowUps } from "./follow-ups.tsx";
import { MessageFiles, MessageSources } from "./message-sources.tsx";
import { MessageAttachments } from "./message-attachments.tsx";
import { hasRichContent, RichContent } from "./rich-content.tsx";
import { StatusLines } from "./status-lines.tsx";
import { ToolCallBlocks } from "./tool-call-block.tsx";
import { translate } from "../i18n/i18n.ts";

export interface MessageViewProps {
  message: ChatMessage;
  /** The model's name, for the answer's heading. */
  modelName?: string;
  /** The row of buttons under a finished answer (see `MessageActions`), above its follow-ups. */
  toolbar?: ReactNode;
  /** Set on the last answer: its follow-up questions are shown, and a click sends one. */
  onFollowUp?: (question: string) => void;
  /** Whether follow-ups can be sent now (not while an answer streams). */
  canFollowUp?: boolean;
}

/** The error to show: Open WebUI's `{content}`, a string, or whatever else a client stored, as JSON. */
function errorText(error: unknown): string | null {
  if (error === null || error === undefined || error === false) return null;
  if (typeof error === "string") return error;
  const content = typeof error === "object" ? (error as { content?: unknown }).content : undefined;
  return typeof content === "string" ? content : JSON.stringify(error);
}

/** Whether the latest visible status line already shows a spinner. */
function isStatusWorking(message: ChatMessage): boolean {
  const latest = (message.statusHistory ?? []).filter((status) => !status.hidden && status.description).at(-1);
  return latest?.done === false;
}

/**
 * What an answer says: its status lines, tool calls, content, files, embeds, error and sources.
 * Memoized on the message alone: while one answer streams, the others are not rendered again
 * (the row of buttons around it changes with the page's state, so it stays outside).
 */
const AnswerBody = memo(function AnswerBody({ message }: { message: ChatMessage }) {
  const error = errorText(message.error);
  const isStreaming = message.done === false;
  return (
    <>
      <StatusLines statuses={message.statusHistory ?? []} />
      <ToolCallBlocks calls={message.toolCalls} />
      {hasRichContent(message) ? (
        <RichContent message={message} />
      ) : isStreaming && !error && !isStatusWorking(message) ? (
        <p className="message-waiting">
          <Spinner label={translate("Waiting for the answer")} /> {translate("Thinking…")}
        </p>
      ) : null}
      <MessageFiles files={message.files ?? []} />
      <EmbedFrames embeds={Array.isArray(message.embeds) ? message.embeds : []} />
      {error && (
        <div className="message-error" role="alert">
          <strong>{translate("Error:")}</strong> {error}
        </div>
      )}
      <MessageSources sources={message.sources ?? []} />
    </>
  );
});

/** One message: the user's text, or an answer with its status lines, content, files, embeds, sources, error, buttons and follow-ups. */
export function MessageView({ message, modelName, toolbar, onFollowUp, canFollowUp = true }: MessageViewProps) {
  if (message.role === "user") {
    return (
      <article className="message message-user" aria-label={translate("Your message")}>
        <MessageAttachments files={message.files} />
        {contentText(message.content) !== "" && <div className="message-bubble">{contentText(message.content)}</div>}
      </article>
    );
  }
  const isStreaming = message.done === false;
  return (
    <article
      className="message message-assistant"
      aria-label={translate("Answer from {model}", { model: modelName ?? message.model ?? translate("the model") })}
      aria-busy={isStreaming}
    >
      <div className="message-heading">
        <span className="message-avatar" aria-hidden="true">
          ≋
        </span>
        <span className="message-model">{modelName ?? message.model ?? "Assistant"}</span>
      </div>
      <AnswerBody message={message} />
      {!isStreaming && toolbar}
      {!isStreaming && onFollowUp && (
        <FollowUps questions={Array.isArray(message.followUps) ? message.followUps : []} isDisabled={!canFollowUp} onAsk={onFollowUp} />
      )}
    </article>
  );
}
