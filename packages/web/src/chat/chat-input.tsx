import { useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent, type MouseEvent } from "react";
import { Icon } from "../ui/icon.tsx";
import type { ModelFilter } from "./chat-types.ts";

export interface ChatInputProps {
  isStreaming: boolean;
  isDisabled: boolean;
  /** Why sending is not possible, shown as the placeholder (no model, …). */
  disabledReason?: string;
  filters: ModelFilter[];
  enabledFilterIds: ReadonlySet<string>;
  onToggleFilter(id: string): void;
  /** Resolves false when the text was not sent: it comes back into the box. */
  onSend(text: string): Promise<boolean>;
  onStop(): void;
  /** Opens the user settings of the model's plugins; absent when there are none. */
  onOpenSettings?(): void;
}

const MAX_HEIGHT_PX = 240;

/**
 * The message box: Enter sends, Shift+Enter starts a new line; the button stops a streaming
 * answer (and only stops it). The box grows with its text up to 240 px and shrinks with it; a
 * message that could not be sent comes back into it. Toggleable filters of the model sit above
 * it as chips (pressed = on).
 */
export function ChatInput({
  isStreaming,
  isDisabled,
  disabledReason,
  filters,
  enabledFilterIds,
  onToggleFilter,
  onSend,
  onStop,
  onOpenSettings,
}: ChatInputProps) {
  const [text, setText] = useState("");
  const textArea = useRef<HTMLTextAreaElement>(null);
  const canSend = !isDisabled && !isStreaming && text.trim() !== "";

  // Fit the box to its text, after typing and after sending alike.
  useLayoutEffect(() => {
    const element = textArea.current;
    if (!element) return;
    element.style.height = "auto";
    element.style.height = `${Math.min(element.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    const sent = text;
    setText("");
    requestAnimationFrame(() => textArea.current?.focus());
    void onSend(sent.trim()).then((isSent) => {
      if (!isSent) setText((current) => (current === "" ? sent : current));
    });
  };

  const stop = (event: MouseEvent<HTMLButtonElement>) => {
    // The Stop button becomes Send as the answer ends: this click must not submit the form.
    event.preventDefault();
    onStop();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <form className="chat-input" onSubmit={submit} aria-label="Send a message">
      {(filters.length > 0 || onOpenSettings) && (
        <div className="chat-input-tools">
          {filters.map((filter) => {
            const isOn = enabledFilterIds.has(filter.id);
            return (
              <button
                key={filter.id}
                type="button"
                className={`filter-chip${isOn ? " is-on" : ""}`}
                aria-pressed={isOn}
                title={filter.description || filter.name}
                onClick={() => onToggleFilter(filter.id)}
              >
                {filter.icon && /^(https?:|data:image\/|\/)/.test(filter.icon) ? (
                  <img src={filter.icon} alt="" className="chip-icon" />
                ) : (
                  <span aria-hidden="true">{isOn ? "●" : "○"}</span>
                )}
                {filter.name}
              </button>
            );
          })}
          {onOpenSettings && (
            <button
              type="button"
              className="filter-chip settings-chip"
              onClick={onOpenSettings}
              title="Your settings for this model's plugins"
            >
              <Icon name="gear" size={14} /> Plugin settings
            </button>
          )}
        </div>
      )}
      <div className="chat-input-box">
        <textarea
          ref={textArea}
          className="chat-textarea"
          aria-label="Message"
          placeholder={isDisabled ? (disabledReason ?? "") : "Send a message"}
          title="Enter sends; Shift+Enter starts a new line"
          rows={1}
          value={text}
          disabled={isDisabled}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
        />
        {isStreaming ? (
          <button key="stop" type="button" className="button send-button" onClick={stop} aria-label="Stop the answer">
            <Icon name="stop" /> Stop
          </button>
        ) : (
          <button key="send" type="submit" className="button button-primary send-button" disabled={!canSend} aria-label="Send">
            <Icon name="send" /> Send
          </button>
        )}
      </div>
    </form>
  );
}
