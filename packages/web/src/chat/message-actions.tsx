import { Icon, type IconName } from "../ui/icon.tsx";
import { Spinner } from "../ui/spinner.tsx";
import { useCopyButton } from "../ui/use-copy-button.ts";
import type { ChatMessage, ModelAction } from "./chat-types.ts";
import { SiblingNav } from "./sibling-nav.tsx";
import "./message-branches.css";
import { useTranslate } from "../i18n/i18n.ts";

export interface MessageActionsProps {
  message: ChatMessage;
  /** The message and its alternatives (see `siblingsOf`). */
  siblingIds: string[];
  /** While an answer streams, nothing here can be used. */
  isDisabled: boolean;
  onShow(id: string): void;
  onEdit(): void;
  /** Set on answers: the text the Copy button copies. */
  copyText?: string;
  /** Set on answers: asks again, as a new version. */
  onRegenerate?: () => void;
  /** Set on the last answer: the model goes on with it. */
  onContinue?: () => void;
  onDelete(): void;
  /** The answer's model's action buttons (plugins). */
  actions?: ModelAction[];
  /** The action running on this message, if any. */
  runningActionId?: string | null;
  onAction?: (action: ModelAction, message: ChatMessage) => void;
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

interface ActionButtonProps {
  name: string;
  icon: IconName;
  title: string;
  isDisabled?: boolean;
  onClick(): void;
}

/** An icon button named for screen readers and tests, its longer meaning in the tooltip. */
function ActionButton({ name, icon, title, isDisabled = false, onClick }: ActionButtonProps) {
  return (
    <button type="button" className="icon-button message-action" aria-label={name} title={title} disabled={isDisabled} onClick={onClick}>
      <Icon name={icon} />
    </button>
  );
}

/**
 * One row under a message, as Open WebUI shows it: `‹ 2/3 ›` between its versions, then icon
 * buttons: Copy (answers), Edit, Regenerate (answers), Continue (the last answer), Delete, and
 * the model's actions.
 */
export function MessageActions({
  message,
  siblingIds,
  isDisabled,
  onShow,
  onEdit,
  copyText,
  onRegenerate,
  onContinue,
  onDelete,
  actions = [],
  runningActionId = null,
  onAction,
}: MessageActionsProps) {
  const t = useTranslate();
  const copier = useCopyButton();
  const isUser = message.role === "user";
  return (
    <div
      className={`message-toolbar message-toolbar-${isUser ? "user" : "assistant"}`}
      role="toolbar"
      aria-label={isUser ? t("Your message's actions") : t("Answer's actions")}
    >
      <SiblingNav siblingIds={siblingIds} currentId={message.id} isDisabled={isDisabled} onShow={onShow} />
      {copyText !== undefined && (
        <ActionButton
          name={copier.label}
          icon={copier.isCopied ? "check" : "copy"}
          title={isUser ? t("Copy your message") : t("Copy the answer")}
          onClick={() => void copier.copy(copyText)}
        />
      )}
      <ActionButton
        name={t("Edit")}
        icon="pencil"
        title={isUser ? t("Edit your message") : t("Edit the answer")}
        isDisabled={isDisabled}
        onClick={onEdit}
      />
      {onRegenerate && (
        <ActionButton
          name={t("Regenerate")}
          icon="regenerate"
          title={t("Ask again for another answer")}
          isDisabled={isDisabled}
          onClick={onRegenerate}
        />
      )}
      {onContinue && (
        <ActionButton
          name={t("Continue")}
          icon="play"
          title={t("Let the model go on with this answer")}
          isDisabled={isDisabled}
          onClick={onContinue}
        />
      )}
      <ActionButton
        name={t("Delete")}
        icon="trash"
        title={isUser ? t("Delete your message and what follows it") : t("Delete the answer and what follows it")}
        isDisabled={isDisabled}
        onClick={onDelete}
      />
      {actions.map((action) => (
        <button
          key={action.id}
          type="button"
          className="icon-button message-action"
          aria-label={action.name}
          aria-busy={runningActionId === action.id}
          title={action.description || action.name}
          disabled={Boolean(runningActionId)}
          onClick={() => onAction?.(action, message)}
        >
          {runningActionId === action.id ? <Spinner label={t("Running {name}", { name: action.name })} /> : <ActionIcon action={action} />}
        </button>
      ))}
    </div>
  );
}
