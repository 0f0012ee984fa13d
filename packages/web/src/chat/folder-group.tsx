import { useRef, useState, type DragEvent } from "react";
import { errorMessage } from "../api/api-error.ts";
import { Icon } from "../ui/icon.tsx";
import { useToaster } from "../ui/toasts.tsx";
import { chatApi, type Folder } from "./chat-api.ts";
import { downloadText } from "./chat-export.ts";
import { ChatItem, type ChatItemActions } from "./chat-item.tsx";
import { chatList, useChatList } from "./chat-list-store.ts";
import { canMoveFolder, childFolders, folderPaths, pathLabel, subtreeIds } from "./folder-tree.ts";
import { Menu, MenuItem } from "./menu.tsx";
import { NameField } from "./name-field.tsx";
import { allowDrop, dropInto, endDrag, FOLDER_DRAG_TYPE, isSidebarDrag, moveFolder, startDrag } from "./sidebar-drag.ts";
import { useTranslate } from "../i18n/i18n.ts";

/**
 * A folder of the sidebar and, when open, the folders under it (by name) and its chats. Its header
 * opens and closes it, and drags it into another folder or back to the top; chats and folders
 * dropped on it move in. Its menu creates a folder inside, moves it, exports its chats.
 */
export function FolderGroup({ folder, actions, onDelete }: { folder: Folder; actions: ChatItemActions; onDelete(folder: Folder): void }) {
  const toaster = useToaster();
  const t = useTranslate();
  const { chats, folders } = useChatList();
  const [isRenaming, setIsRenaming] = useState(false);
  const [isNamingChild, setIsNamingChild] = useState(false);
  const [isDropTarget, setIsDropTarget] = useState(false);
  const [isDragged, setIsDragged] = useState(false);
  const isExpanded = folder.is_expanded;
  const children = childFolders(folders, folder.id);
  const ownChats = chats.filter((chat) => !chat.pinned && chat.folder_id === folder.id);
  const subtree = subtreeIds(folders, folder.id);
  const chatCount = chats.filter((chat) => !chat.pinned && chat.folder_id && subtree.has(chat.folder_id)).length;

  const setExpanded = async (next: boolean) => {
    chatList.patchFolder(folder.id, { is_expanded: next });
    try {
      await chatApi.setFolderExpanded(folder.id, next);
    } catch (error) {
      chatList.patchFolder(folder.id, { is_expanded: !next });
      toaster.show({ type: "error", content: t("Saving the folder failed: {reason}", { reason: errorMessage(error) }) });
    }
  };

  // The innermost folder under the pointer decides, so the events stop here.
  const onDragOver = (event: DragEvent) => {
    if (!isSidebarDrag(event)) return;
    event.stopPropagation();
    setIsDropTarget(allowDrop(event, folder.id));
  };
  const onDrop = async (event: DragEvent) => {
    setIsDropTarget(false);
    event.stopPropagation();
    try {
      if ((await dropInto(event, folder.id)) && !isExpanded) await setExpanded(true);
    } catch (error) {
      toaster.show({ type: "error", content: t("Moving failed: {reason}", { reason: errorMessage(error) }) });
    }
  };

  return (
    <li
      className={`chat-group chat-folder${isDropTarget ? " is-drop-target" : ""}${isDragged ? " is-dragged" : ""}`}
      aria-label={t("Folder {name}", { name: folder.name })}
      onDragOver={onDragOver}
      onDragLeave={() => setIsDropTarget(false)}
      onDrop={(event) => void onDrop(event)}
    >
      <div
        className="chat-folder-header"
        draggable={!isRenaming}
        onDragStart={(event) => {
          startDrag(event, FOLDER_DRAG_TYPE, folder.id);
          setIsDragged(true);
        }}
        onDragEnd={() => {
          endDrag();
          setIsDragged(false);
        }}
      >
        {isRenaming ? (
          <FolderNameField folder={folder} onDone={() => setIsRenaming(false)} />
        ) : (
          <>
            <button type="button" className="chat-folder-toggle" aria-expanded={isExpanded} onClick={() => void setExpanded(!isExpanded)}>
              <span className="chat-folder-chevron" aria-hidden="true">
                <Icon name="chevron" size={12} />
              </span>
              <span className="chat-link-title">{folder.name}</span>
              <span className="chat-folder-count muted" title={t("Chats in it and in the folders inside it")}>
                {chatCount}
              </span>
            </button>
            <span className="chat-item-buttons">
              <button
                type="button"
                className="icon-button small-icon"
                aria-label={t("Rename folder “{name}”", { name: folder.name })}
                title={t("Rename folder")}
                onClick={() => setIsRenaming(true)}
              >
                <Icon name="pencil" size={14} />
              </button>
              <button
                type="button"
                className="icon-button small-icon"
                aria-label={t("Delete folder “{name}”", { name: folder.name })}
                title={t("Delete folder")}
                onClick={() => onDelete(folder)}
              >
                <Icon name="trash" size={14} />
              </button>
              <FolderMenu
                folder={folder}
                onCreateInside={() => {
                  setIsNamingChild(true);
                  if (!isExpanded) void setExpanded(true);
                }}
              />
            </span>
          </>
        )}
      </div>
      {isExpanded && (
        <ul>
          {isNamingChild && (
            <li>
              <NewFolderField parentId={folder.id} onDone={() => setIsNamingChild(false)} />
            </li>
          )}
          {children.map((child) => (
            <FolderGroup key={child.id} folder={child} actions={actions} onDelete={onDelete} />
          ))}
          {ownChats.map((chat) => (
            <ChatItem key={chat.id} chat={chat} actions={actions} />
          ))}
          {ownChats.length === 0 && children.length === 0 && !isNamingChild && (
            <li className="chat-history-note muted">{t("Drop chats here")}</li>
          )}
        </ul>
      )}
    </li>
  );
}

/** The folder's menu: a folder inside it, moves (the keyboard's way to do what dragging does), export. */
function FolderMenu({ folder, onCreateInside }: { folder: Folder; onCreateInside(): void }) {
  const toaster = useToaster();
  const t = useTranslate();
  const { folders } = useChatList();
  const [isOpen, setIsOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const targets = folderPaths(folders).filter((entry) => canMoveFolder(folders, folder.id, entry.folder.id));

  /** `failure`: what the toast says, before the reason, when `work` fails. */
  const run = (failure: string, work: () => Promise<unknown>) => async () => {
    setIsOpen(false);
    button.current?.focus();
    try {
      await work();
    } catch (error) {
      toaster.show({ type: "error", content: `${failure}: ${errorMessage(error)}` });
    }
  };
  const moveTo = (parentId: string | null) => run(t("Moving failed"), () => moveFolder(folder.id, parentId));
  const exportChats = run(t("Exporting failed"), async () => {
    const chats = await chatApi.folderChats(folder.id);
    downloadText(JSON.stringify(chats), `folder-${folder.name}-export-${Date.now()}.json`, "application/json");
  });

  return (
    <>
      <button
        ref={button}
        type="button"
        className="icon-button small-icon"
        aria-label={t("More options for folder “{name}”", { name: folder.name })}
        title={t("More")}
        aria-haspopup="menu"
        aria-expanded={isOpen}
        onClick={() => setIsOpen(!isOpen)}
      >
        <Icon name="more" size={14} />
      </button>
      {isOpen && (
        <Menu anchor={button.current} label={t("Options for folder “{name}”", { name: folder.name })} onClose={() => setIsOpen(false)}>
          <MenuItem
            onSelect={() => {
              setIsOpen(false);
              onCreateInside();
            }}
          >
            {t("Create folder")}
          </MenuItem>
          {canMoveFolder(folders, folder.id, null) && <MenuItem onSelect={moveTo(null)}>{t("Move to the top level")}</MenuItem>}
          {targets.map(({ folder: target, path }) => (
            <MenuItem key={target.id} onSelect={moveTo(target.id)}>
              {t("Move into “{folder}”", { folder: pathLabel(path) })}
            </MenuItem>
          ))}
          <MenuItem onSelect={exportChats}>{t("Export chats")}</MenuItem>
        </Menu>
      )}
    </>
  );
}

/** A field naming a new folder (at the top, or inside `parentId`): Enter creates it, open; Escape or an empty name cancels. */
export function NewFolderField({ parentId = null, onDone }: { parentId?: string | null; onDone(): void }) {
  const t = useTranslate();
  return (
    <NameField
      label={t("Folder name")}
      initial=""
      onSave={async (name) => {
        const folder = await chatApi.createFolder(name, parentId);
        const opened = await chatApi.setFolderExpanded(folder.id, true);
        chatList.setFolders([...chatList.get().folders, opened]);
      }}
      failure={t("Creating the folder failed")}
      onDone={onDone}
    />
  );
}

function FolderNameField({ folder, onDone }: { folder: Folder; onDone(): void }) {
  const t = useTranslate();
  return (
    <NameField
      label={t("Folder name")}
      initial={folder.name}
      onSave={async (name) => chatList.patchFolder(folder.id, await chatApi.renameFolder(folder.id, name))}
      failure={t("Renaming the folder failed")}
      onDone={onDone}
    />
  );
}
