import { useEffect, useState, type FormEvent } from "react";
import { errorMessage } from "../api/api-error.ts";
import { Link, navigate, usePathname } from "../app/router.tsx";
import { Modal } from "../ui/modal.tsx";
import { Spinner } from "../ui/spinner.tsx";
import { useToaster } from "../ui/toasts.tsx";
import { chatApi, type Folder, type Tag } from "./chat-api.ts";
import { chatList, useChatList } from "./chat-list-store.ts";
import type { ChatSummary } from "./chat-types.ts";
import { subtreeIds } from "./folder-tree.ts";
import { ConfirmDialog } from "../workspace/confirm-dialog.tsx";
import { useTranslate } from "../i18n/i18n.ts";

export function DeleteChatDialog({ chat, isOpen, onClose }: { chat: ChatSummary; isOpen: boolean; onClose(): void }) {
  const t = useTranslate();
  const remove = async () => {
    await chatApi.remove(chat.id);
    chatList.remove(chat.id);
    if (isOpen) navigate("/");
  };
  return (
    <ConfirmDialog title={t("Delete chat?")} confirmLabel={t("Delete")} isDangerous onConfirm={remove} onClose={onClose}>
      <p>{t("“{title}” and all its messages will be deleted. This cannot be undone.", { title: chat.title })}</p>
    </ConfirmDialog>
  );
}

/** Adds and removes a chat's tags. */
export function TagsDialog({ chatId, onClose }: { chatId: string; onClose(): void }) {
  const toaster = useToaster();
  const t = useTranslate();
  const { chats, tags: allTags } = useChatList();
  const chat = chats.find((candidate) => candidate.id === chatId);
  const [name, setName] = useState("");
  const tagIds = chat?.tags ?? [];
  const nameOf = (id: string) => allTags.find((tag) => tag.id === id)?.name ?? id;

  const apply = async (work: () => Promise<Tag[]>) => {
    try {
      const tags = await work();
      chatList.patch(chatId, { tags: tags.map((tag) => tag.id) });
      chatList.setTags(await chatApi.tags());
    } catch (error) {
      toaster.show({ type: "error", content: t("Changing tags failed: {reason}", { reason: errorMessage(error) }) });
    }
  };
  const add = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    setName("");
    await apply(() => chatApi.addTag(chatId, trimmed));
  };

  return (
    <Modal
      title={t("Tags of “{title}”", { title: chat?.title ?? "" })}
      onClose={onClose}
      footer={
        <button type="button" className="button" onClick={onClose}>
          {t("Done")}
        </button>
      }
    >
      {tagIds.length === 0 ? (
        <p className="muted">{t("No tags yet.")}</p>
      ) : (
        <ul className="tag-chips" aria-label={t("Tags")}>
          {tagIds.map((id) => (
            <li key={id} className="tag-chip">
              {nameOf(id)}
              <button
                type="button"
                className="icon-button small-icon"
                aria-label={t("Remove tag “{tag}”", { tag: nameOf(id) })}
                onClick={() => void apply(() => chatApi.removeTag(chatId, nameOf(id)))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="tag-form" onSubmit={(event) => void add(event)}>
        <input
          className="input"
          aria-label={t("New tag")}
          placeholder={t("Add a tag")}
          value={name}
          onChange={(event) => setName(event.target.value)}
          autoFocus
        />
        <button type="submit" className="button" disabled={!name.trim()}>
          {t("Add tag")}
        </button>
      </form>
    </Modal>
  );
}

/** The archived chats: open, unarchive or delete each. */
export function ArchivedChatsDialog({ onClose }: { onClose(): void }) {
  const toaster = useToaster();
  const t = useTranslate();
  const [chats, setChats] = useState<ChatSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    chatApi.archived().then(setChats, (failure: unknown) => setError(errorMessage(failure)));
  }, []);

  const unarchive = async (chat: ChatSummary) => {
    try {
      const record = await chatApi.toggleArchive(chat.id);
      setChats((current) => current?.filter((candidate) => candidate.id !== chat.id) ?? null);
      chatList.upsert({ ...chat, pinned: record.pinned ?? false, folder_id: record.folder_id ?? null, updated_at: record.updated_at });
    } catch (failure) {
      toaster.show({ type: "error", content: t("Unarchiving failed: {reason}", { reason: errorMessage(failure) }) });
    }
  };
  const remove = async (chat: ChatSummary) => {
    try {
      await chatApi.remove(chat.id);
      setChats((current) => current?.filter((candidate) => candidate.id !== chat.id) ?? null);
    } catch (failure) {
      toaster.show({ type: "error", content: t("Deleting failed: {reason}", { reason: errorMessage(failure) }) });
    }
  };

  return (
    <Modal title={t("Archived chats")} onClose={onClose}>
      {error && <p className="form-error">{error}</p>}
      {!chats && !error && <Spinner label={t("Loading archived chats")} />}
      {chats?.length === 0 && <p className="muted">{t("No archived chats.")}</p>}
      {chats && chats.length > 0 && (
        <ul className="archived-list">
          {chats.map((chat) => (
            <li key={chat.id} className="archived-item">
              <Link to={`/c/${chat.id}`} className="archived-title" onClick={onClose}>
                {chat.title || t("New Chat")}
              </Link>
              <button
                type="button"
                className="button button-quiet"
                aria-label={t("Unarchive “{title}”", { title: chat.title })}
                onClick={() => void unarchive(chat)}
              >
                {t("Unarchive")}
              </button>
              <button
                type="button"
                className="button button-quiet"
                aria-label={t("Delete “{title}” for good", { title: chat.title })}
                onClick={() => void remove(chat)}
              >
                {t("Delete")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}

/** Deletes a folder with the folders under it; their chats move back to the list unless the box to delete them is ticked. */
export function DeleteFolderDialog({ folder, onClose }: { folder: Folder; onClose(): void }) {
  const t = useTranslate();
  const pathname = usePathname();
  const { folders } = useChatList();
  const [shouldDeleteChats, setShouldDeleteChats] = useState(false);
  const inside = subtreeIds(folders, folder.id);
  const subfolderCount = inside.size - 1;

  const remove = async () => {
    await chatApi.deleteFolder(folder.id, shouldDeleteChats);
    const { chats } = chatList.get();
    for (const chat of chats) {
      if (!chat.folder_id || !inside.has(chat.folder_id)) continue;
      if (shouldDeleteChats) chatList.remove(chat.id);
      else chatList.patch(chat.id, { folder_id: null });
    }
    chatList.setFolders(chatList.get().folders.filter((candidate) => !inside.has(candidate.id)));
    const openChatId = pathname.startsWith("/c/") ? pathname.slice(3) : null;
    if (shouldDeleteChats && chats.some((chat) => chat.id === openChatId && chat.folder_id && inside.has(chat.folder_id))) navigate("/");
  };
  return (
    <ConfirmDialog title={t("Delete folder?")} confirmLabel={t("Delete folder")} isDangerous onConfirm={remove} onClose={onClose}>
      <p>
        {subfolderCount === 0
          ? t("The folder “{name}” will be deleted.", { name: folder.name })
          : subfolderCount === 1
            ? t("The folder “{name}” and the folder inside it will be deleted.", { name: folder.name })
            : t("The folder “{name}” and the {count} folders inside it will be deleted.", {
                name: folder.name,
                count: subfolderCount,
              })}{" "}
        {shouldDeleteChats ? t("Their chats will be deleted too.") : t("Their chats stay, back in the list.")}
      </p>
      <label className="folder-delete-option">
        <input type="checkbox" checked={shouldDeleteChats} onChange={(event) => setShouldDeleteChats(event.target.checked)} />
        {t("Delete the chats inside too")}
      </label>
    </ConfirmDialog>
  );
}
