import { useEffect, useRef, useState, type ChangeEvent, type DragEvent, type ReactNode } from "react";
import { errorMessage } from "../api/api-error.ts";
import { usePathname } from "../app/router.tsx";
import { Icon } from "../ui/icon.tsx";
import { Spinner } from "../ui/spinner.tsx";
import { useToaster } from "../ui/toasts.tsx";
import { chatApi, type ChatImport, type Folder } from "./chat-api.ts";
import { ArchivedChatsDialog, DeleteChatDialog, DeleteFolderDialog, TagsDialog } from "./chat-history-dialogs.tsx";
import { ChatItem, type ChatItemActions } from "./chat-item.tsx";
import { chatList, useChatList } from "./chat-list-store.ts";
import type { ChatSummary } from "./chat-types.ts";
import { groupByDate } from "./date-groups.ts";
import { FolderGroup, NewFolderField } from "./folder-group.tsx";
import { childFolders } from "./folder-tree.ts";
import { allowDrop, dropInto, isSidebarDrag } from "./sidebar-drag.ts";
import "./chat-history.css";
import { useInterfaceLanguage, useTranslate } from "../i18n/i18n.ts";

/**
 * The user's chats in the sidebar: search (titles and messages), a tag filter, pinned chats on
 * top, folders as a tree (drop chats and folders in and out, collapse), then the rest under date
 * headings. Each chat opens, renames, deletes, and from its menu pins, tags, moves, exports and
 * archives. Something dragged out of a folder and dropped anywhere else here goes to the top level.
 */
export function ChatHistory() {
  const { chats, folders, tags, status, error } = useChatList();
  const pathname = usePathname();
  const [query, setQuery] = useState("");
  const [tagFilter, setTagFilter] = useState("");
  const results = useSearch(query, tagFilter);
  const [deleting, setDeleting] = useState<ChatSummary | null>(null);
  const [taggingId, setTaggingId] = useState<string | null>(null);
  const [deletingFolder, setDeletingFolder] = useState<Folder | null>(null);
  const [isArchiveOpen, setIsArchiveOpen] = useState(false);
  const [isNamingFolder, setIsNamingFolder] = useState(false);
  const [isTopDropTarget, setIsTopDropTarget] = useState(false);
  const toaster = useToaster();
  const t = useTranslate();
  const language = useInterfaceLanguage();

  useEffect(() => {
    void chatList.refresh();
    return () => chatList.clear();
  }, []);
  useEffect(() => {
    if (tagFilter && !tags.some((tag) => tag.id === tagFilter)) setTagFilter("");
  }, [tags, tagFilter]);

  const actions: ChatItemActions = { onDelete: setDeleting, onEditTags: (chat) => setTaggingId(chat.id) };
  /** A chat dropped anywhere but on a folder leaves its folder; a folder goes to the top level. */
  const dropOnList = async (event: DragEvent) => {
    setIsTopDropTarget(false);
    try {
      await dropInto(event, null);
    } catch (error) {
      toaster.show({ type: "error", content: t("Moving failed: {reason}", { reason: errorMessage(error) }) });
    }
  };
  const isFiltering = query.trim() !== "" || tagFilter !== "";
  const folderIds = new Set(folders.map((folder) => folder.id));
  const pinned = chats.filter((chat) => chat.pinned);
  const loose = chats.filter((chat) => !chat.pinned && !(chat.folder_id && folderIds.has(chat.folder_id)));

  return (
    <section
      className={`chat-history${isTopDropTarget ? " is-drop-target" : ""}`}
      aria-labelledby="chat-history-title"
      onDragOver={(event) => isSidebarDrag(event) && setIsTopDropTarget(allowDrop(event, null))}
      onDragLeave={() => setIsTopDropTarget(false)}
      onDrop={(event) => void dropOnList(event)}
    >
      <div className="chat-history-header">
        <h2 className="chat-history-title" id="chat-history-title">
          {t("Chats")}
        </h2>
        <button
          type="button"
          className="icon-button small-icon"
          aria-label={t("New folder")}
          title={t("New folder")}
          onClick={() => setIsNamingFolder(true)}
        >
          <Icon name="folder-plus" size={15} />
        </button>
        <ImportButton />
        <button
          type="button"
          className="icon-button small-icon"
          aria-label={t("Archived chats")}
          title={t("Archived chats")}
          onClick={() => setIsArchiveOpen(true)}
        >
          <Icon name="archive" size={15} />
        </button>
      </div>
      <div className="chat-history-filters">
        <input
          type="search"
          className="input chat-search"
          aria-label={t("Search chats")}
          placeholder={t("Search chats")}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        {tags.length > 0 && (
          <select
            className="input chat-tag-filter"
            aria-label={t("Filter by tag")}
            value={tagFilter}
            onChange={(event) => setTagFilter(event.target.value)}
          >
            <option value="">{t("All tags")}</option>
            {tags.map((tag) => (
              <option key={tag.id} value={tag.id}>
                {tag.name}
              </option>
            ))}
          </select>
        )}
      </div>
      {isNamingFolder && <NewFolderField onDone={() => setIsNamingFolder(false)} />}
      {status === "loading" && chats.length === 0 && (
        <p className="chat-history-note">
          <Spinner label={t("Loading chats")} /> {t("Loading…")}
        </p>
      )}
      {status === "failed" && (
        <p className="chat-history-note form-error">
          {error}{" "}
          <button type="button" className="link-button" onClick={() => void chatList.refresh()}>
            {t("Retry")}
          </button>
        </p>
      )}
      {status === "ready" && chats.length === 0 && folders.length === 0 && !isFiltering && (
        <p className="chat-history-note muted">{t("No chats yet.")}</p>
      )}
      {isFiltering ? (
        <ul className="chat-history-list">
          <ChatGroup label={t("Results")} chats={results.chats ?? []} actions={actions}>
            {results.isSearching && !results.chats && <Spinner label={t("Searching")} />}
            {results.error && <p className="chat-history-note form-error">{results.error}</p>}
            {results.chats?.length === 0 && <p className="chat-history-note muted">{t("No chats found.")}</p>}
          </ChatGroup>
        </ul>
      ) : (
        <ul className="chat-history-list">
          {pinned.length > 0 && <ChatGroup label={t("Pinned")} chats={pinned} actions={actions} />}
          {childFolders(folders, null).map((folder) => (
            <FolderGroup key={folder.id} folder={folder} actions={actions} onDelete={setDeletingFolder} />
          ))}
          {groupByDate(loose, new Date(), language).map((group) => (
            <ChatGroup key={group.label} label={t(group.label)} chats={group.items} actions={actions} />
          ))}
        </ul>
      )}
      {deleting && <DeleteChatDialog chat={deleting} isOpen={pathname === `/c/${deleting.id}`} onClose={() => setDeleting(null)} />}
      {taggingId && <TagsDialog chatId={taggingId} onClose={() => setTaggingId(null)} />}
      {deletingFolder && <DeleteFolderDialog folder={deletingFolder} onClose={() => setDeletingFolder(null)} />}
      {isArchiveOpen && <ArchivedChatsDialog onClose={() => setIsArchiveOpen(false)} />}
    </section>
  );
}

/** Search results from the server (title, messages; `tag:` for the tag filter), or the tag filter alone from the list. */
function useSearch(query: string, tagFilter: string): { chats: ChatSummary[] | null; isSearching: boolean; error: string | null } {
  const { chats } = useChatList();
  const [found, setFound] = useState<{ key: string; chats: ChatSummary[] | null; error: string | null }>({
    key: "",
    chats: null,
    error: null,
  });
  const text = query.trim();
  const key = `${text}\n${tagFilter}`;

  useEffect(() => {
    if (!text) return;
    let isCurrent = true;
    const timer = setTimeout(() => {
      const search = tagFilter ? `${text} tag:${tagFilter}` : text;
      chatApi.search(search).then(
        (result) => isCurrent && setFound({ key, chats: result, error: null }),
        (error: unknown) => isCurrent && setFound({ key, chats: null, error: errorMessage(error) }),
      );
    }, 200);
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
  }, [key, text, tagFilter]);

  if (!text) return { chats: tagFilter ? chats.filter((chat) => chat.tags?.includes(tagFilter)) : [], isSearching: false, error: null };
  if (found.key !== key) return { chats: null, isSearching: true, error: null };
  return { chats: found.chats, isSearching: false, error: found.error };
}

function ChatGroup({
  label,
  chats,
  actions,
  children,
}: {
  label: string;
  chats: ChatSummary[];
  actions: ChatItemActions;
  children?: ReactNode;
}) {
  return (
    <li className="chat-group" aria-label={label}>
      <h3 className="chat-group-title">{label}</h3>
      {children}
      <ul>
        {chats.map((chat) => (
          <ChatItem key={chat.id} chat={chat} actions={actions} />
        ))}
      </ul>
    </li>
  );
}

/** Imports an Open WebUI export: a JSON array of chats (`[{ chat, meta, pinned, … }]`, or bare chat objects). */
function ImportButton() {
  const toaster = useToaster();
  const t = useTranslate();
  const input = useRef<HTMLInputElement>(null);

  const onChange = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    try {
      const chats = toImports(JSON.parse(await file.text()));
      const imported = await chatApi.importChats(chats);
      await chatList.refresh();
      toaster.show({
        type: "success",
        content: imported.length === 1 ? t("Imported 1 chat") : t("Imported {count} chats", { count: imported.length }),
      });
    } catch (error) {
      const message = error instanceof SyntaxError ? t("the file is not JSON") : errorMessage(error);
      toaster.show({ type: "error", content: t("Importing failed: {reason}", { reason: message }) });
    }
  };

  return (
    <>
      <button
        type="button"
        className="icon-button small-icon"
        aria-label={t("Import chats")}
        title={t("Import chats (Open WebUI export)")}
        onClick={() => input.current?.click()}
      >
        <Icon name="upload" size={15} />
      </button>
      <input ref={input} type="file" accept=".json,application/json" hidden onChange={(event) => void onChange(event)} />
    </>
  );
}

/** Open WebUI's import: each item's `chat` (or the item itself), with its meta, pin, folder and times. */
function toImports(value: unknown): ChatImport[] {
  if (!Array.isArray(value)) throw new Error("the file should hold a list of chats, as Open WebUI exports them");
  return value.map((item: Record<string, unknown>) => ({
    chat: item.chat ?? item,
    meta: item.meta ?? {},
    pinned: typeof item.pinned === "boolean" ? item.pinned : false,
    folder_id: typeof item.folder_id === "string" ? item.folder_id : null,
    created_at: typeof item.created_at === "number" ? item.created_at : null,
    updated_at: typeof item.updated_at === "number" ? item.updated_at : null,
  }));
}
