import { memo } from "react";
import { Spinner } from "../ui/spinner.tsx";
import { useCopyButton } from "../ui/use-copy-button.ts";
import type { ChatMessage, ModelAction } from "./chat-types.ts";
import { contentText } from "./content-text.ts";
import { EmbedFrames } from "./embed-frames.tsx";
import { FollowUps } from "./follow-ups.tsx";
import { MarkdownContent } from "./markdown-content.tsx";
import { MessageFiles, MessageSources } from "./message-sources.tsx";
import { StatusLines } from "./status-lines.tsx";

export interface MessageViewProps {
  message: ChatMessage;
  /** The model's name, for the answer's heading. */
  modelName?: string;
  /** Action buttons shown under a finished answer. */
  actions: ModelAction[];
  /** The action running on this message, if any. */
  runningActionId?: string | null;
  onAction(action: ModelAction, message: ChatMessage): void;
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

/** An action's icon: an image URL or data URI from the plugin, else its initial. */
function ActionIcon({ action }: { action: ModelAction }) {
  const icon = action.icon ?? "";
  if (/^(https?:|data:image\/|\/)/.test(icon)) return <img src={icon} alt="" className="action-icon" />;
  return (
    <span className="action-icon action-initial" aria-hidden="true">
      {(action.name || action.id).slice(0, 1).toUpperCase()}
    </span>
  );
}

/** One message: the user's text, or an answer with its status lines, content, files, embeds, sources, error, buttons and follow-ups. */
export const MessageView = memo(function MessageView({
  message,
  modelName,
  actions,
  runningActionId,
  onAction,
  onFollowUp,
  canFollowUp = true,
}: MessageViewProps) {
  const copier = useCopyButton();
  if (message.role === "user") {
    return (
      <article className="message message-user" aria-label="Your message">
        <div className="message-bubble">{contentText(message.content)}</div>
      </article>
    );
  }
  const error = errorText(message.error);
  const isStreaming = message.done === false;
  return (
    <article
      className="message message-assistant"
      aria-label={`Answer from ${modelName ?? message.model ?? "the model"}`}
      aria-busy={isStreaming}
    >
      <div className="message-heading">
        <span className="message-avatar" aria-hidden="true">
          ≋
        </span>
        <span className="message-model">{modelName ?? message.model ?? "Assistant"}</span>
      </div>
      <StatusLines statuses={message.statusHistory ?? []} />
      {message.content ? (
        <MarkdownContent text={contentText(message.content)} />
      ) : isStreaming && !error && !isStatusWorking(message) ? (
        <p className="message-waiting">
          <Spinner label="Waiting for the answer" /> Thinking…
        </p>
      ) : null}
      <MessageFiles files={message.files ?? []} />
      <EmbedFrames embeds={Array.isArray(message.embeds) ? message.embeds : []} />
      {error && (
        <div className="message-error" role="alert">
          <strong>Error:</strong> {error}
        </div>
      )}
      <MessageSources sources={message.sources ?? []} />
      {!isStreaming && (
        <div className="message-toolbar" role="toolbar" aria-label="Message actions">
          <button type="button" className="button button-quiet button-small" onClick={() => void copier.copy(contentText(message.content))}>
            {copier.label}
          </button>
          {actions.map((action) => (
            <button
              key={action.id}
              type="button"
              className="button button-quiet button-small action-button"
              title={action.description || action.name}
              disabled={Boolean(runningActionId)}
              onClick={() => onAction(action, message)}
            >
              {runningActionId === action.id ? <Spinner label={`Running ${action.name}`} /> : <ActionIcon action={action} />}
              {action.name}
            </button>
          ))}
        </div>
      )}
      {!isStreaming && onFollowUp && (
        <FollowUps questions={Array.isArray(message.followUps) ? message.followUps : []} isDisabled={!canFollowUp} onAsk={onFollowUp} />
      )}
    </article>
  );
});
