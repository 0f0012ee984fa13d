import { useRef, useState } from "react";
import { errorMessage } from "../api/api-error.ts";
import { Link, usePathname } from "../app/router.tsx";
import { Icon } from "../ui/icon.tsx";
import { useToaster } from "../ui/toasts.tsx";
import { chatApi } from "./chat-api.ts";
import { chatToMarkdown, downloadText, exportFileName } from "./chat-export.ts";
import { chatList, useChatList } from "./chat-list-store.ts";
import type { ChatSummary } from "./chat-types.ts";
import { folderPaths, pathLabel } from "./folder-tree.ts";
import { Menu, MenuItem } from "./menu.tsx";
import { NameField } from "./name-field.tsx";
import { CHAT_DRAG_TYPE, endDrag, startDrag } from "./sidebar-drag.ts";
import { useTranslate } from "../i18n/i18n.ts";

/** What a chat row asks of the sidebar: dialogs live there, so they outlive the row. */
export interface ChatItemActions {
  onDelete(chat: ChatSummary): void;
  onEditTags(chat: ChatSummary): void;
}

/** One chat of the sidebar: a link (draggable into folders), rename and delete buttons, and a menu of the rest. */
export function ChatItem({ chat, actions }: { chat: ChatSummary; actions: ChatItemActions }) {
  const pathname = usePathname();
  const t = useTranslate();
  const [isRenaming, setIsRenaming] = useState(false);
  const title = chat.title || t("New Chat");

  if (isRenaming) {
    return (
      <li>
        <RenameField chat={chat} onDone={() => setIsRenaming(false)} />
      </li>
    );
  }
  return (
    <li className="chat-history-item" draggable onDragStart={(event) => startDrag(event, CHAT_DRAG_TYPE, chat.id)} onDragEnd={endDrag}>
      <Link
        to={`/c/${chat.id}`}
        className="nav-link chat-link"
        aria-current={pathname === `/c/${chat.id}` ? "page" : undefined}
        title={title}
      >
        {chat.pinned && <span className="visually-hidden">{t("Pinned:")} </span>}
        <span className="chat-link-title">{title}</span>
      </Link>
      <span className="chat-item-buttons">
        <button
          type="button"
          className="icon-button small-icon"
          aria-label={t("Rename “{title}”", { title: chat.title })}
          title={t("Rename")}
          onClick={() => setIsRenaming(true)}
        >
          <Icon name="pencil" size={14} />
        </button>
        <button
          type="button"
          className="icon-button small-icon"
          aria-label={t("Delete “{title}”", { title: chat.title })}
          title={t("Delete")}
          onClick={() => actions.onDelete(chat)}
        >
          <Icon name="trash" size={14} />
        </button>
        <ChatMenu chat={chat} actions={actions} />
      </span>
    </li>
  );
}

function ChatMenu({ chat, actions }: { chat: ChatSummary; actions: ChatItemActions }) {
  const toaster = useToaster();
  const t = useTranslate();
  const { folders } = useChatList();
  const [isOpen, setIsOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);

  /** `failure`: what the toast says, before the reason, when `work` fails. */
  const run = (failure: string, work: () => Promise<void>) => async () => {
    setIsOpen(false);
    button.current?.focus();
    try {
      await work();
    } catch (error) {
      toaster.show({ type: "error", content: `${failure}: ${errorMessage(error)}` });
    }
  };

  const togglePin = run(t("Pinning failed"), async () => {
    const record = await chatApi.togglePin(chat.id);
    chatList.patch(chat.id, { pinned: record.pinned });
  });
  const archive = run(t("Archiving failed"), async () => {
    await chatApi.toggleArchive(chat.id);
    chatList.remove(chat.id);
    toaster.show({ type: "success", content: t("Archived “{title}”", { title: chat.title }) });
  });
  const moveTo = (folderId: string | null) =>
    run(t("Moving failed"), async () => {
      const record = await chatApi.moveToFolder(chat.id, folderId);
      chatList.patch(chat.id, { folder_id: record.folder_id ?? null, pinned: record.pinned });
    });
  const exportAs = (format: "json" | "markdown") =>
    run(t("Exporting failed"), async () => {
      const record = await chatApi.get(chat.id);
      if (format === "json") downloadText(JSON.stringify([record]), exportFileName(record.title, "json"), "application/json");
      else downloadText(chatToMarkdown(record), exportFileName(record.title, "md"), "text/markdown");
    });

  return (
    <>
      <button
        ref={button}
        type="button"
        className="icon-button small-icon"
        aria-label={t("More options for “{title}”", { title: chat.title })}
        title={t("More")}
        aria-haspopup="menu"
        aria-expanded={isOpen}
        onClick={() => setIsOpen(!isOpen)}
      >
        <Icon name="more" size={14} />
      </button>
      {isOpen && (
        <Menu anchor={button.current} label={t("Options for “{title}”", { title: chat.title })} onClose={() => setIsOpen(false)}>
          <MenuItem onSelect={togglePin}>{chat.pinned ? t("Unpin") : t("Pin")}</MenuItem>
          <MenuItem
            onSelect={() => {
              setIsOpen(false);
              actions.onEditTags(chat);
            }}
          >
            {t("Tags…")}
          </MenuItem>
          {folderPaths(folders)
            .filter(({ folder }) => folder.id !== chat.folder_id)
            .map(({ folder, path }) => (
              <MenuItem key={folder.id} onSelect={moveTo(folder.id)}>
                {t("Move to “{folder}”", { folder: pathLabel(path) })}
              </MenuItem>
            ))}
          {chat.folder_id && <MenuItem onSelect={moveTo(null)}>{t("Remove from folder")}</MenuItem>}
          <MenuItem onSelect={exportAs("json")}>{t("Export as JSON")}</MenuItem>
          <MenuItem onSelect={exportAs("markdown")}>{t("Export as Markdown")}</MenuItem>
          <MenuItem onSelect={archive}>{t("Archive")}</MenuItem>
        </Menu>
      )}
    </>
  );
}

function RenameField({ chat, onDone }: { chat: ChatSummary; onDone(): void }) {
  const t = useTranslate();
  return (
    <NameField
      label={t("Chat title")}
      initial={chat.title}
      onSave={async (title) => {
        // Shown at once; put back when the server refuses it.
        chatList.rename(chat.id, title);
        try {
          await chatApi.update(chat.id, { title });
        } catch (error) {
          chatList.rename(chat.id, chat.title);
          throw error;
        }
      }}
      failure={t("Renaming failed")}
      onDone={onDone}
    />
  );
}
