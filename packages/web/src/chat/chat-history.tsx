import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { errorMessage } from "../api/api-error.ts";
import { Link, navigate, usePathname } from "../app/router.tsx";
import { Icon } from "../ui/icon.tsx";
import { Modal } from "../ui/modal.tsx";
import { Spinner } from "../ui/spinner.tsx";
import { useToaster } from "../ui/toasts.tsx";
import { chatApi } from "./chat-api.ts";
import { chatList, useChatList } from "./chat-list-store.ts";
import type { ChatSummary } from "./chat-types.ts";

/** The user's chats in the sidebar, newest first: open, rename in place, delete after a confirmation. */
export function ChatHistory() {
  const { chats, status, error } = useChatList();
  const pathname = usePathname();
  const [renamingId, setRenamingId] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<ChatSummary | null>(null);

  useEffect(() => {
    void chatList.refresh();
    return () => chatList.clear();
  }, []);

  return (
    <section className="chat-history" aria-labelledby="chat-history-title">
      <h2 className="chat-history-title" id="chat-history-title">
        Chats
      </h2>
      {status === "loading" && chats.length === 0 && (
        <p className="chat-history-note">
          <Spinner label="Loading chats" /> Loading…
        </p>
      )}
      {status === "failed" && (
        <p className="chat-history-note form-error">
          {error}{" "}
          <button type="button" className="link-button" onClick={() => void chatList.refresh()}>
            Retry
          </button>
        </p>
      )}
      {status === "ready" && chats.length === 0 && <p className="chat-history-note muted">No chats yet.</p>}
      <ul>
        {chats.map((chat) =>
          renamingId === chat.id ? (
            <li key={chat.id}>
              <RenameField chat={chat} onDone={() => setRenamingId(null)} />
            </li>
          ) : (
            <li key={chat.id} className="chat-history-item">
              <Link
                to={`/c/${chat.id}`}
                className="nav-link chat-link"
                aria-current={pathname === `/c/${chat.id}` ? "page" : undefined}
                title={chat.title}
              >
                <span className="chat-link-title">{chat.title || "New Chat"}</span>
              </Link>
              <span className="chat-item-buttons">
                <button
                  type="button"
                  className="icon-button small-icon"
                  aria-label={`Rename “${chat.title}”`}
                  title="Rename"
                  onClick={() => setRenamingId(chat.id)}
                >
                  <Icon name="pencil" size={14} />
                </button>
                <button
                  type="button"
                  className="icon-button small-icon"
                  aria-label={`Delete “${chat.title}”`}
                  title="Delete"
                  onClick={() => setDeleting(chat)}
                >
                  <Icon name="trash" size={14} />
                </button>
              </span>
            </li>
          ),
        )}
      </ul>
      {deleting && <DeleteChatDialog chat={deleting} isOpen={pathname === `/c/${deleting.id}`} onClose={() => setDeleting(null)} />}
    </section>
  );
}

function RenameField({ chat, onDone }: { chat: ChatSummary; onDone(): void }) {
  const toaster = useToaster();
  const [title, setTitle] = useState(chat.title);
  const isSaving = useRef(false);

  const save = async () => {
    if (isSaving.current) return;
    isSaving.current = true;
    const trimmed = title.trim();
    onDone();
    if (!trimmed || trimmed === chat.title) return;
    chatList.rename(chat.id, trimmed);
    try {
      await chatApi.update(chat.id, { title: trimmed });
    } catch (error) {
      chatList.rename(chat.id, chat.title);
      toaster.show({ type: "error", content: `Renaming failed: ${errorMessage(error)}` });
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") void save();
    if (event.key === "Escape") {
      isSaving.current = true;
      onDone();
    }
  };

  return (
    <input
      className="input rename-input"
      aria-label="Chat title"
      value={title}
      autoFocus
      onFocus={(event) => event.currentTarget.select()}
      onChange={(event) => setTitle(event.target.value)}
      onKeyDown={onKeyDown}
      onBlur={() => void save()}
    />
  );
}

function DeleteChatDialog({ chat, isOpen, onClose }: { chat: ChatSummary; isOpen: boolean; onClose(): void }) {
  const toaster = useToaster();
  const [isBusy, setIsBusy] = useState(false);
  const remove = async () => {
    setIsBusy(true);
    try {
      await chatApi.remove(chat.id);
      chatList.remove(chat.id);
      onClose();
      if (isOpen) navigate("/");
    } catch (error) {
      setIsBusy(false);
      toaster.show({ type: "error", content: `Deleting failed: ${errorMessage(error)}` });
    }
  };
  return (
    <Modal
      title="Delete chat?"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button button-danger" onClick={remove} disabled={isBusy}>
            Delete
          </button>
        </>
      }
    >
      <p>“{chat.title}” and all its messages will be deleted. This cannot be undone.</p>
    </Modal>
  );
}
