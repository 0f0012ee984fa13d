import { useRef, useState, type FormEvent, type KeyboardEvent } from "react";
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
  onSend(text: string): void;
  onStop(): void;
  /** Opens the user settings of the model's plugins; absent when there are none. */
  onOpenSettings?(): void;
}

/**
 * The message box: Enter sends, Shift+Enter starts a new line; the button stops a streaming
 * answer. Toggleable filters of the model sit above it as chips (pressed = on).
 */
export function ChatInput({ isStreaming, isDisabled, disabledReason, filters, enabledFilterIds, onToggleFilter, onSend, onStop, onOpenSettings }: ChatInputProps) {
  const [text, setText] = useState("");
  const textArea = useRef<HTMLTextAreaElement>(null);
  const canSend = !isDisabled && !isStreaming && text.trim() !== "";

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    onSend(text.trim());
    setText("");
    requestAnimationFrame(() => textArea.current?.focus());
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
                {filter.icon && /^(https?:|data:image\/|\/)/.test(filter.icon) ? <img src={filter.icon} alt="" className="chip-icon" /> : <span aria-hidden="true">{isOn ? "●" : "○"}</span>}
                {filter.name}
              </button>
            );
          })}
          {onOpenSettings && (
            <button type="button" className="filter-chip settings-chip" onClick={onOpenSettings} title="Your settings for this model's plugins">
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
          onChange={(event) => {
            setText(event.target.value);
            const element = event.target;
            element.style.height = "auto";
            element.style.height = `${Math.min(element.scrollHeight, 240)}px`;
          }}
          onKeyDown={onKeyDown}
        />
        {isStreaming ? (
          <button type="button" className="button send-button" onClick={onStop} aria-label="Stop the answer">
            <Icon name="stop" /> Stop
          </button>
        ) : (
          <button type="submit" className="button button-primary send-button" disabled={!canSend} aria-label="Send">
            <Icon name="send" /> Send
          </button>
        )}
      </div>
    </form>
  );
}
