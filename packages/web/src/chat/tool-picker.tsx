import { useEffect, useId, useRef, useState } from "react";
import type { PluginRow } from "@sluice/sdk/wire";
import { api } from "../api/api-client.ts";
import { errorMessage } from "../api/api-error.ts";
import { Icon } from "../ui/icon.tsx";
import { Spinner } from "../ui/spinner.tsx";
import "./tool-picker.css";
import { useTranslate } from "../i18n/i18n.ts";

type ToolsState = { state: "loading" } | { state: "failed"; message: string } | { state: "ready"; tools: PluginRow[] };

export interface ToolPickerProps {
  selectedIds: ReadonlySet<string>;
  onChange(ids: Set<string>): void;
  isDisabled?: boolean;
}

/**
 * The composer's tool picker: a button that opens a list of the tools the user may use (shared
 * with them, public, or their own) as checkboxes; the checked ones go with each message as
 * `tool_ids`. Escape or a click outside closes it.
 */
export function ToolPicker({ selectedIds, onChange, isDisabled }: ToolPickerProps) {
  const t = useTranslate();
  const [isOpen, setIsOpen] = useState(false);
  const [tools, setTools] = useState<ToolsState>({ state: "loading" });
  const root = useRef<HTMLDivElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!isOpen) return;
    let isCurrent = true;
    api.get<PluginRow[]>("/api/v1/tools/").then(
      (rows) => isCurrent && setTools({ state: "ready", tools: rows }),
      (error: unknown) => isCurrent && setTools({ state: "failed", message: errorMessage(error) }),
    );
    const onPointer = (event: PointerEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) setIsOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => {
      isCurrent = false;
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [isOpen]);

  const toggle = (id: string) => {
    const next = new Set(selectedIds);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onChange(next);
  };

  const count = selectedIds.size;
  return (
    <div
      className="tool-picker"
      ref={root}
      onKeyDown={(event) => {
        if (event.key === "Escape" && isOpen) {
          event.stopPropagation();
          setIsOpen(false);
          root.current?.querySelector<HTMLButtonElement>(".tool-picker-button")?.focus();
        }
      }}
    >
      <button
        type="button"
        className={`filter-chip tool-picker-button${count > 0 ? " is-on" : ""}`}
        aria-expanded={isOpen}
        aria-controls={panelId}
        disabled={isDisabled}
        title={t("Tools the model may call in this chat")}
        onClick={() => setIsOpen((current) => !current)}
      >
        <Icon name="wrench" size={14} /> {t("Tools")}
        {count > 0 ? ` (${count})` : ""}
      </button>
      {isOpen && (
        <div className="tool-picker-panel" id={panelId} role="group" aria-label={t("Tools for this chat")}>
          {tools.state === "loading" && <Spinner label={t("Loading tools")} />}
          {tools.state === "failed" && <p role="alert">{t("The tools could not be loaded: {reason}", { reason: tools.message })}</p>}
          {tools.state === "ready" && tools.tools.length === 0 && (
            <p className="muted">{t("No tools yet. Tools you create in the workspace show here.")}</p>
          )}
          {tools.state === "ready" &&
            tools.tools.map((tool) => (
              <label key={tool.id} className="tool-picker-option">
                <input type="checkbox" checked={selectedIds.has(tool.id)} onChange={() => toggle(tool.id)} />
                <span>
                  <span className="tool-picker-name">{tool.name}</span>
                  {tool.meta?.description && <span className="tool-picker-description">{tool.meta.description}</span>}
                </span>
              </label>
            ))}
        </div>
      )}
    </div>
  );
}

/**
 * Open WebUI keeps a chat's composer draft, its `selectedToolIds` among it, in the tab's
 * sessionStorage under `chat-input-<chat id>`: a reload or reopening the chat in this tab finds it.
 */
function draftKey(chatId: string): string {
  return `chat-input-${chatId}`;
}

function readDraft(chatId: string): Record<string, unknown> | null {
  try {
    const raw = sessionStorage.getItem(draftKey(chatId));
    const draft: unknown = raw === null ? null : JSON.parse(raw);
    return draft && typeof draft === "object" && !Array.isArray(draft) ? (draft as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Each chat's chosen tools, for when sessionStorage is unavailable (then they last for this page). */
const chosenByChat = new Map<string, Set<string>>();

/** The tools chosen for a chat, or null when none were ever chosen for it. */
function chosenToolIds(chatId: string): Set<string> | null {
  const ids = readDraft(chatId)?.selectedToolIds;
  if (Array.isArray(ids)) return new Set(ids.filter((id): id is string => typeof id === "string"));
  return chosenByChat.get(chatId) ?? null;
}

function rememberToolIds(chatId: string, ids: Set<string>): void {
  chosenByChat.set(chatId, ids);
  try {
    sessionStorage.setItem(draftKey(chatId), JSON.stringify({ ...readDraft(chatId), selectedToolIds: [...ids] }));
  } catch {
    // storage unavailable or full: the choice lasts for this page
  }
}

/**
 * The tools chosen for the chat on screen: each chat keeps its own choice (see `draftKey`); a new
 * chat starts with none (a model's own tools are added by the server), and keeps its choice when
 * its first message gives it an id.
 */
export function useChatToolIds(chatId: string | null): [Set<string>, (ids: Set<string>) => void] {
  const [choice, setChoice] = useState<{ chatId: string | null; ids: Set<string> }>(() => ({
    chatId,
    ids: (chatId && chosenToolIds(chatId)) || new Set(),
  }));
  let current = choice;
  if (choice.chatId !== chatId) {
    const isNewChatSaved = choice.chatId === null && chatId !== null && chosenToolIds(chatId) === null;
    current = { chatId, ids: isNewChatSaved ? choice.ids : (chatId && chosenToolIds(chatId)) || new Set() };
    if (isNewChatSaved && choice.ids.size > 0) rememberToolIds(chatId, choice.ids);
    setChoice(current);
  }
  const change = (ids: Set<string>) => {
    if (chatId) rememberToolIds(chatId, ids);
    setChoice({ chatId, ids });
  };
  return [current.ids, change];
}
