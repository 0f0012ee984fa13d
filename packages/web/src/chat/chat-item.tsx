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

/** What a chat row asks of the sidebar: dialogs live there, so they outlive the row. */
export interface ChatItemActions {
  onDelete(chat: ChatSummary): void;
  onEditTags(chat: ChatSummary): void;
}

/** One chat of the sidebar: a link (draggable into folders), rename and delete buttons, and a menu of the rest. */
export function ChatItem({ chat, actions }: { chat: ChatSummary; actions: ChatItemActions }) {
  const pathname = usePathname();
  const [isRenaming, setIsRenaming] = useState(false);
  const title = chat.title || "New Chat";

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
        {chat.pinned && <span className="visually-hidden">Pinned: </span>}
        <span className="chat-link-title">{title}</span>
      </Link>
      <span className="chat-item-buttons">
        <button
          type="button"
          className="icon-button small-icon"
          aria-label={`Rename “${chat.title}”`}
          title="Rename"
          onClick={() => setIsRenaming(true)}
        >
          <Icon name="pencil" size={14} />
        </button>
        <button
          type="button"
          className="icon-button small-icon"
          aria-label={`Delete “${chat.title}”`}
          title="Delete"
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
  const { folders } = useChatList();
  const [isOpen, setIsOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);

  const run = (label: string, work: () => Promise<void>) => async () => {
    setIsOpen(false);
    button.current?.focus();
    try {
      await work();
    } catch (error) {
      toaster.show({ type: "error", content: `${label} failed: ${errorMessage(error)}` });
    }
  };

  const togglePin = run("Pinning", async () => {
    const record = await chatApi.togglePin(chat.id);
    chatList.patch(chat.id, { pinned: record.pinned });
  });
  const archive = run("Archiving", async () => {
    await chatApi.toggleArchive(chat.id);
    chatList.remove(chat.id);
    toaster.show({ type: "success", content: `Archived “${chat.title}”` });
  });
  const moveTo = (folderId: string | null) =>
    run("Moving", async () => {
      const record = await chatApi.moveToFolder(chat.id, folderId);
      chatList.patch(chat.id, { folder_id: record.folder_id ?? null, pinned: record.pinned });
    });
  const exportAs = (format: "json" | "markdown") =>
    run("Exporting", async () => {
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
        aria-label={`More options for “${chat.title}”`}
        title="More"
        aria-haspopup="menu"
        aria-expanded={isOpen}
        onClick={() => setIsOpen(!isOpen)}
      >
        <Icon name="more" size={14} />
      </button>
      {isOpen && (
        <Menu anchor={button.current} label={`Options for “${chat.title}”`} onClose={() => setIsOpen(false)}>
          <MenuItem onSelect={togglePin}>{chat.pinned ? "Unpin" : "Pin"}</MenuItem>
          <MenuItem
            onSelect={() => {
              setIsOpen(false);
              actions.onEditTags(chat);
            }}
          >
            Tags…
          </MenuItem>
          {folderPaths(folders)
            .filter(({ folder }) => folder.id !== chat.folder_id)
            .map(({ folder, path }) => (
              <MenuItem key={folder.id} onSelect={moveTo(folder.id)}>
                Move to “{pathLabel(path)}”
              </MenuItem>
            ))}
          {chat.folder_id && <MenuItem onSelect={moveTo(null)}>Remove from folder</MenuItem>}
          <MenuItem onSelect={exportAs("json")}>Export as JSON</MenuItem>
          <MenuItem onSelect={exportAs("markdown")}>Export as Markdown</MenuItem>
          <MenuItem onSelect={archive}>Archive</MenuItem>
        </Menu>
      )}
    </>
  );
}

function RenameField({ chat, onDone }: { chat: ChatSummary; onDone(): void }) {
  return (
    <NameField
      label="Chat title"
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
      failure="Renaming failed"
      onDone={onDone}
    />
  );
}
