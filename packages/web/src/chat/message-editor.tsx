import { useState, type FormEvent } from "react";
import type { ChatMessage } from "./chat-types.ts";
import "./message-branches.css";
import { translate } from "../i18n/i18n.ts";

export interface MessageEditorProps {
  message: ChatMessage;
  /** "Send" for a question (a new branch), "Save" for an answer (changed in place). */
  submitLabel: string;
  /** Resolves whether it was done; the editor stays open otherwise. */
  onSubmit(text: string): Promise<boolean>;
  onCancel(): void;
}

/** The text to edit: a string as it is, or the text parts of a list of parts (its images stay as they are). */
function editableText(content: ChatMessage["content"]): string {
  if (!Array.isArray(content)) return typeof content === "string" ? content : "";
  return content
    .filter((part) => part.type === "text" && typeof part.text === "string")
    .map((part) => part.text as string)
    .join("\n");
}

/** Edits a message's text where it stands: Escape or "Cancel" leaves it as it was, Ctrl/⌘+Enter submits. */
export function MessageEditor({ message, submitLabel, onSubmit, onCancel }: MessageEditorProps) {
  const [text, setText] = useState(() => editableText(message.content));
  const [isWorking, setIsWorking] = useState(false);
  const isQuestion = message.role === "user";
  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (isWorking || (isQuestion && !text.trim())) return;
    setIsWorking(true);
    const isDone = await onSubmit(text);
    if (!isDone) setIsWorking(false);
  };
  return (
    <form className={`message-editor ${isQuestion ? "message-editor-user" : ""}`} onSubmit={submit}>
      <textarea
        className="message-editor-text"
        aria-label={isQuestion ? translate("Edit your message") : translate("Edit the answer")}
        value={text}
        rows={Math.min(12, Math.max(2, text.split("\n").length))}
        autoFocus
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            event.preventDefault();
            onCancel();
          } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            void submit();
          }
        }}
      />
      <div className="message-editor-buttons">
        <button type="button" className="button button-small" onClick={onCancel}>
          {translate("Cancel")}
        </button>
        <button type="submit" className="button button-primary button-small" disabled={isWorking || (isQuestion && !text.trim())}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
