import type { DragEvent } from "react";
import { chatApi } from "./chat-api.ts";
import { chatList } from "./chat-list-store.ts";
import { canMoveFolder } from "./folder-tree.ts";

/** The drag payloads' types: a chat's id, a folder's id. */
export const CHAT_DRAG_TYPE = "application/x-sluice-chat";
export const FOLDER_DRAG_TYPE = "application/x-sluice-folder";

/**
 * What is being dragged. A drag's data can only be read on drop, but while it moves over the list
 * each folder must know whether it may take it (not the folder it is in, not itself or a folder under it).
 */
let dragged: { type: typeof CHAT_DRAG_TYPE | typeof FOLDER_DRAG_TYPE; id: string } | null = null;

/** Starts dragging a chat (its row) or a folder (its header). */
export function startDrag(event: DragEvent, type: typeof CHAT_DRAG_TYPE | typeof FOLDER_DRAG_TYPE, id: string): void {
  event.stopPropagation();
  event.dataTransfer.setData(type, id);
  event.dataTransfer.effectAllowed = "move";
  dragged = { type, id };
}

export function endDrag(): void {
  dragged = null;
}

/** Whether a drag carries a chat or a folder of the sidebar. */
export function isSidebarDrag(event: DragEvent): boolean {
  const types = event.dataTransfer.types;
  return types.includes(CHAT_DRAG_TYPE) || types.includes(FOLDER_DRAG_TYPE);
}

/** Lets what is dragged be dropped into `folderId` (`null`: the top level) when that would move it. Returns whether it may. */
export function allowDrop(event: DragEvent, folderId: string | null): boolean {
  if (!dragged || !event.dataTransfer.types.includes(dragged.type) || !canMove(dragged, folderId)) return false;
  event.preventDefault();
  event.dataTransfer.dropEffect = "move";
  return true;
}

function canMove(item: NonNullable<typeof dragged>, folderId: string | null): boolean {
  const { chats, folders } = chatList.get();
  if (item.type === FOLDER_DRAG_TYPE) return canMoveFolder(folders, item.id, folderId);
  const chat = chats.find((candidate) => candidate.id === item.id);
  const isInListedFolder = chat?.folder_id != null && folders.some((folder) => folder.id === chat.folder_id);
  return chat !== undefined && (folderId === null ? isInListedFolder : chat.folder_id !== folderId);
}

/**
 * Moves what was dropped (a chat or a folder) into `folderId`, or to the top level (`null`), at
 * once in the list, then on the server; undone (and thrown) if the server refuses. Whether it moved.
 */
export async function dropInto(event: DragEvent, folderId: string | null): Promise<boolean> {
  const chatId = event.dataTransfer.getData(CHAT_DRAG_TYPE);
  const folderIdMoved = event.dataTransfer.getData(FOLDER_DRAG_TYPE);
  endDrag();
  if (!chatId && !folderIdMoved) return false;
  event.preventDefault();
  event.stopPropagation();
  return chatId ? moveChat(chatId, folderId) : moveFolder(folderIdMoved, folderId);
}

async function moveChat(chatId: string, folderId: string | null): Promise<boolean> {
  const chat = chatList.get().chats.find((candidate) => candidate.id === chatId);
  if (!chat || (chat.folder_id ?? null) === folderId) return false;
  const previous = { folder_id: chat.folder_id ?? null, pinned: chat.pinned };
  chatList.patch(chatId, { folder_id: folderId, pinned: false });
  try {
    await chatApi.moveToFolder(chatId, folderId);
    return true;
  } catch (error) {
    chatList.patch(chatId, previous);
    throw error;
  }
}

/** Moves a folder under another, or to the top level (`null`), at once in the list; undone (and thrown) if the server refuses. */
export async function moveFolder(id: string, parentId: string | null): Promise<boolean> {
  const folders = chatList.get().folders;
  const folder = folders.find((candidate) => candidate.id === id);
  if (!folder || !canMoveFolder(folders, id, parentId)) return false;
  chatList.patchFolder(id, { parent_id: parentId });
  try {
    chatList.patchFolder(id, await chatApi.moveFolder(id, parentId));
    return true;
  } catch (error) {
    chatList.patchFolder(id, { parent_id: folder.parent_id });
    throw error;
  }
}
