import { useLayoutEffect, useRef, useState, type DragEvent, type FormEvent, type KeyboardEvent, type MouseEvent } from "react";
import { Icon } from "../ui/icon.tsx";
import { useToaster } from "../ui/toasts.tsx";
import type { FileEntry, ModelFilter } from "./chat-types.ts";
import { AttachButton, attachmentEntries, ComposerAttachments, isImageFile, useComposerAttachments } from "./composer-attachments.tsx";
import { ToolPicker } from "./tool-picker.tsx";
import { useTranslate } from "../i18n/i18n.ts";

/** What goes with the text: the attached files (Open WebUI's `files` entries) and the chosen tools. */
export interface SendExtras {
  files: FileEntry[];
  toolIds: string[];
}

export interface ChatInputProps {
  isStreaming: boolean;
  isDisabled: boolean;
  /** Why sending is not possible, shown as the placeholder (no model, …). */
  disabledReason?: string;
  /** Why images are refused (the model does not read them), shown when one is attached or sent; absent when they are taken. */
  imageRefusal?: string;
  filters: ModelFilter[];
  enabledFilterIds: ReadonlySet<string>;
  onToggleFilter(id: string): void;
  /** Resolves false when the text was not sent: it comes back into the box, with its files. */
  onSend(text: string, extras: SendExtras): Promise<boolean>;
  /** The tools chosen for this chat (`tool_ids` of each message). */
  toolIds: ReadonlySet<string>;
  onToolIdsChange(ids: Set<string>): void;
  onStop(): void;
  /** Opens the user settings of the model's plugins; absent when there are none. */
  onOpenSettings?(): void;
}

const MAX_HEIGHT_PX = 240;

/**
 * The message box: Enter sends, Shift+Enter starts a new line; the button stops a streaming
 * answer (and only stops it). The box grows with its text up to 240 px and shrinks with it; a
 * message that could not be sent comes back into it. Toggleable filters of the model sit above
 * it as chips (pressed = on), with the tool picker. Files come in by the paperclip, by dropping
 * them on the composer or by pasting: images as thumbnails, other files as chips. A model that
 * does not read images (`imageRefusal`) gets none: they are refused as they come, and a message
 * with images attached before the switch to it is not sent.
 */
export function ChatInput({
  isStreaming,
  isDisabled,
  disabledReason,
  imageRefusal,
  filters,
  enabledFilterIds,
  onToggleFilter,
  onSend,
  onStop,
  onOpenSettings,
  toolIds,
  onToolIdsChange,
}: ChatInputProps) {
  const t = useTranslate();
  const [text, setText] = useState("");
  const [isDragging, setIsDragging] = useState(false);
  const textArea = useRef<HTMLTextAreaElement>(null);
  const toaster = useToaster();
  const files = useComposerAttachments();
  const canSend = !isDisabled && !isStreaming && !files.isLoading && (text.trim() !== "" || files.readyCount > 0);

  // Fit the box to its text, after typing and after sending alike.
  useLayoutEffect(() => {
    const element = textArea.current;
    if (!element) return;
    element.style.height = "auto";
    element.style.height = `${Math.min(element.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  const refuseImages = (message: string) => toaster.show({ type: "error", content: message });

  /** Attaches files by any way in, leaving out the images a model that cannot read them would get. */
  const attach = (added: File[]) => {
    const accepted = imageRefusal ? added.filter((file) => !isImageFile(file)) : added;
    if (accepted.length < added.length) refuseImages(imageRefusal!);
    files.add(accepted);
  };

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    const sent = text;
    const sentFiles = files.attachments.filter((attachment) => attachment.state === "ready");
    if (imageRefusal && sentFiles.some((attachment) => attachment.kind === "image")) {
      refuseImages(imageRefusal);
      return;
    }
    setText("");
    files.clear();
    requestAnimationFrame(() => textArea.current?.focus());
    void onSend(sent.trim(), { files: attachmentEntries(sentFiles), toolIds: [...toolIds] }).then((isSent) => {
      if (isSent) return;
      setText((current) => (current === "" ? sent : current));
      files.restore(sentFiles);
    });
  };

  const onDrop = (event: DragEvent<HTMLFormElement>) => {
    if (!event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    setIsDragging(false);
    if (!isDisabled) attach([...event.dataTransfer.files]);
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
    <form
      className={`chat-input${isDragging ? " is-dragging" : ""}`}
      onSubmit={submit}
      aria-label={t("Send a message")}
      onDragOver={(event) => {
        if (!event.dataTransfer.types.includes("Files")) return;
        event.preventDefault();
        setIsDragging(true);
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setIsDragging(false);
      }}
      onDrop={onDrop}
    >
      <div className="chat-input-tools">
        <ToolPicker selectedIds={toolIds} onChange={onToolIdsChange} isDisabled={isDisabled} />
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
            title={t("Your settings for this model's plugins")}
          >
            <Icon name="gear" size={14} /> {t("Plugin settings")}
          </button>
        )}
      </div>
      <ComposerAttachments attachments={files.attachments} onRemove={files.remove} />
      <div className="chat-input-box">
        <AttachButton onFiles={attach} isDisabled={isDisabled} />
        <textarea
          ref={textArea}
          className="chat-textarea"
          aria-label={t("Message")}
          placeholder={isDisabled ? (disabledReason ?? "") : t("Send a message")}
          title={t("Enter sends; Shift+Enter starts a new line")}
          rows={1}
          value={text}
          disabled={isDisabled}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          onPaste={(event) => {
            const pasted = [...event.clipboardData.files];
            if (pasted.length === 0) return;
            event.preventDefault();
            attach(pasted);
          }}
        />
        {isStreaming ? (
          <button key="stop" type="button" className="button send-button" onClick={stop} aria-label={t("Stop the answer")}>
            <Icon name="stop" /> {t("Stop")}
          </button>
        ) : (
          <button key="send" type="submit" className="button button-primary send-button" disabled={!canSend} aria-label={t("Send")}>
            <Icon name="send" /> {t("Send")}
          </button>
        )}
      </div>
    </form>
  );
}
