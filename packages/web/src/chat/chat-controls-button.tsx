import { useState } from "react";
import { Icon } from "../ui/icon.tsx";
import { hasControls, type ChatControls } from "./chat-controls.ts";
import { ChatControlsDialog } from "./chat-controls-dialog.tsx";
import { useTranslate } from "../i18n/i18n.ts";

/** The top bar's "Controls" button and its dialog; marked when the chat has controls set. */
export function ChatControlsButton({ controls, onSave }: { controls: ChatControls; onSave(controls: ChatControls): Promise<void> }) {
  const t = useTranslate();
  const [isOpen, setIsOpen] = useState(false);
  const isSet = hasControls(controls);
  return (
    <>
      <button
        type="button"
        className={`button button-quiet button-small chat-controls-button${isSet ? " is-set" : ""}`}
        aria-haspopup="dialog"
        title={isSet ? t("Chat controls (set for this chat)") : t("Chat controls: system prompt and parameters")}
        onClick={() => setIsOpen(true)}
      >
        <Icon name="gear" size={14} /> {t("Controls")}
      </button>
      {isOpen && <ChatControlsDialog controls={controls} onSave={onSave} onClose={() => setIsOpen(false)} />}
    </>
  );
}
