import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, errorMessage } from "../api/api-error.ts";
import { navigate } from "../app/router.tsx";
import type { Socket } from "socket.io-client";
import { useSocket, useSocketEvent } from "../realtime/socket-provider.tsx";
import { applyActionResult, applyCompletionUpdate, applyEnvelopeToTree } from "./apply-chat-event.ts";
import { chatApi } from "./chat-api.ts";
import { chatList } from "./chat-list-store.ts";
import type { ChatMessage, ChatModel, EventEnvelope, MessageTree } from "./chat-types.ts";
import { addMessage, branchOf, chatFieldsOf, EMPTY_TREE, treeOfChat, updateMessage } from "./message-tree.ts";
import { streamChatCompletion } from "./stream-chat-completion.ts";

export interface ChatSession {
  /** The stored chat's id; null for a new chat until its first message. */
  chatId: string | null;
  title: string | null;
  tree: MessageTree;
  /** The chat's model (from the stored chat), if it named one. */
  chatModelId: string | null;
  loadState: "ready" | "loading" | "failed";
  loadError: string | null;
  isStreaming: boolean;
  /** The action running, and on which message. */
  runningAction: { actionId: string; messageId: string } | null;
  send(text: string, model: ChatModel, filterIds: string[]): Promise<void>;
  stop(): void;
  runAction(actionId: string, message: ChatMessage, modelId: string, onError: (message: string) => void): Promise<void>;
}

const SOCKET_WAIT_MS = 3000;
/** After a stop, how long to let the server finish saving the cut answer before saving the one on screen over it. */
const STOP_SAVE_DELAY_MS = 500;

/** The socket's id once it is connected (waiting a little for a socket still connecting), else undefined. */
async function connectedSessionId(socket: Socket | null): Promise<string | undefined> {
  if (!socket) return undefined;
  if (!socket.connected) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, SOCKET_WAIT_MS);
      function done() {
        clearTimeout(timer);
        socket!.off("connect", done);
        resolve();
      }
      socket.on("connect", done);
    });
  }
  return socket.connected ? socket.id : undefined;
}

function newId(): string {
  return crypto.randomUUID();
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** What the model and plugins see of a message (the server parses and trusts nothing more). */
function requestMessage(message: ChatMessage) {
  return { role: message.role, content: message.content };
}

/**
 * The state and behaviour of one chat on screen (Open WebUI's client flow): load a stored chat;
 * on send, store the question and an empty answer (`/api/v1/chats/new` for the first message),
 * then stream `/api/chat/completions` with `chat_id`, the answer's `id` and the socket's
 * `session_id`, while plugin events on the socket change the answer; run action buttons.
 */
export function useChatSession(routeChatId: string | null): ChatSession {
  const { socket } = useSocket();
  const [chatId, setChatId] = useState<string | null>(routeChatId);
  const [title, setTitle] = useState<string | null>(null);
  const [tree, setTree] = useState<MessageTree>(EMPTY_TREE);
  const [chatModelId, setChatModelId] = useState<string | null>(null);
  const [loadState, setLoadState] = useState<ChatSession["loadState"]>(routeChatId ? "loading" : "ready");
  const [loadError, setLoadError] = useState<string | null>(null);
  const [streamingId, setStreamingId] = useState<string | null>(null);
  const [runningAction, setRunningAction] = useState<ChatSession["runningAction"]>(null);
  const activeChatId = useRef<string | null>(routeChatId);
  const createdChatId = useRef<string | null>(null);
  const streamingIds = useRef(new Set<string>());
  /** Answers the user stopped: the server's late events about them (a "client disconnected" error) are not shown. */
  const stoppedIds = useRef(new Set<string>());
  const abortController = useRef<AbortController | null>(null);
  const treeRef = useRef(tree);
  treeRef.current = tree;

  /** Changes the tree only while `forChatId` is still the chat on screen. */
  const updateTree = useCallback((forChatId: string | null, change: (tree: MessageTree) => MessageTree) => {
    if (activeChatId.current === forChatId) setTree(change);
  }, []);

  useEffect(() => {
    if (routeChatId !== null && routeChatId === createdChatId.current) {
      // The chat this page just created: its state is already here.
      createdChatId.current = null;
      return;
    }
    activeChatId.current = routeChatId;
    setChatId(routeChatId);
    setTree(EMPTY_TREE);
    setTitle(null);
    setChatModelId(null);
    setLoadError(null);
    setStreamingId(null);
    setRunningAction(null);
    if (routeChatId === null) {
      setLoadState("ready");
      return;
    }
    setLoadState("loading");
    let isCurrent = true;
    chatApi.get(routeChatId).then(
      (record) => {
        if (!isCurrent) return;
        setTree(treeOfChat(record.chat));
        setTitle(record.title);
        setChatModelId(record.chat.models?.[0] ?? null);
        setLoadState("ready");
      },
      (error: unknown) => {
        if (!isCurrent) return;
        setLoadError(ApiError.isInstance(error) && error.status === 404 ? "This chat does not exist, or it is not yours." : errorMessage(error));
        setLoadState("failed");
      },
    );
    return () => {
      isCurrent = false;
    };
  }, [routeChatId]);

  useSocketEvent("events", (envelope: EventEnvelope) => {
    if (!envelope?.data || !envelope.chat_id || envelope.chat_id !== activeChatId.current) return;
    const { type, data } = envelope.data;
    if (type === "chat:title") {
      const next = typeof data === "string" ? data : (data as { title?: unknown } | null)?.title;
      if (typeof next === "string" && next) setTitle(next);
      return;
    }
    const messageId = envelope.message_id;
    if (messageId && stoppedIds.current.has(messageId)) return;
    setTree((current) => applyEnvelopeToTree(current, messageId, envelope.data, { isStreamingHere: messageId !== null && streamingIds.current.has(messageId) }));
  });

  const send = useCallback(
    async (text: string, model: ChatModel, filterIds: string[]) => {
      const question: ChatMessage = { id: newId(), parentId: treeRef.current.currentId, childrenIds: [], role: "user", content: text, timestamp: nowSeconds(), models: [model.id] };
      const answer: ChatMessage = {
        id: newId(),
        parentId: question.id,
        childrenIds: [],
        role: "assistant",
        content: "",
        model: model.id,
        modelName: model.name,
        timestamp: nowSeconds(),
        done: false,
        statusHistory: [],
      };
      const withMessages = addMessage(addMessage(treeRef.current, question), answer);
      let id = activeChatId.current;
      setTree(withMessages);
      setStreamingId(answer.id);
      streamingIds.current.add(answer.id);
      const finishWithError = (detail: string) => updateTree(id, (current) => updateMessage(current, answer.id, (message) => ({ ...message, done: true, error: { content: detail } })));

      try {
        if (id === null) {
          const record = await chatApi.create({ title: "New Chat", models: [model.id], ...chatFieldsOf(withMessages), timestamp: Date.now() });
          id = record.id;
          activeChatId.current = id;
          createdChatId.current = id;
          setChatId(id);
          setTitle(record.title);
          chatList.upsert({ id, title: record.title, created_at: record.created_at, updated_at: record.updated_at });
          navigate(`/c/${id}`);
        } else {
          await chatApi.update(id, { models: [model.id], ...chatFieldsOf(withMessages) });
          const listed = chatList.get().chats.find((chat) => chat.id === id);
          if (listed) chatList.upsert({ ...listed, updated_at: nowSeconds() });
        }
      } catch (error) {
        finishWithError(`The chat could not be saved: ${errorMessage(error)}`);
        streamingIds.current.delete(answer.id);
        setStreamingId(null);
        return;
      }

      const controller = new AbortController();
      abortController.current = controller;
      const requestMessages = branchOf(withMessages)
        .filter((message) => message.id !== answer.id)
        .map(requestMessage);
      const sessionId = await connectedSessionId(socket);
      const body = { model: model.id, messages: requestMessages, chat_id: id, id: answer.id, session_id: sessionId, filter_ids: filterIds };
      let hasFailedEarly = false;
      let isStopped = false;
      try {
        for await (const update of streamChatCompletion(body, controller.signal)) {
          updateTree(id, (current) => updateMessage(current, answer.id, (message) => applyCompletionUpdate(message, update)));
        }
      } catch (error) {
        if (controller.signal.aborted) {
          isStopped = true;
          stoppedIds.current.add(answer.id);
        } else {
          hasFailedEarly = ApiError.isInstance(error);
          finishWithError(errorMessage(error));
        }
      } finally {
        streamingIds.current.delete(answer.id);
        if (abortController.current === controller) abortController.current = null;
        setStreamingId((current) => (current === answer.id ? null : current));
        updateTree(id, (current) => updateMessage(current, answer.id, (message) => (message.done ? message : { ...message, done: true })));
      }

      const chatIdForSync = id;
      if (isStopped) {
        // The server saves a cut answer with a "client disconnected" error; the user stopped it on purpose, so keep what they saw.
        await new Promise((resolve) => setTimeout(resolve, STOP_SAVE_DELAY_MS));
        if (activeChatId.current === chatIdForSync) await chatApi.update(chatIdForSync, chatFieldsOf(treeRef.current)).catch(() => {});
      } else if (hasFailedEarly) {
        // The server refused the request before answering (an inlet filter, an unknown model): it saved nothing, so save the error.
        await chatApi.update(chatIdForSync, chatFieldsOf(treeRef.current)).catch(() => {});
      } else if (!body.session_id) {
        // Without a socket no events came: take what the server saved (outlet changes, statuses).
        const record = await chatApi.get(chatIdForSync).catch(() => null);
        const saved = record ? treeOfChat(record.chat).messages[answer.id] : undefined;
        if (saved) updateTree(chatIdForSync, (current) => updateMessage(current, answer.id, (message) => ({ ...message, ...saved, done: true })));
      }
    },
    [socket, updateTree],
  );

  const stop = useCallback(() => abortController.current?.abort(), []);

  const runAction = useCallback(
    async (actionId: string, message: ChatMessage, modelId: string, onError: (detail: string) => void) => {
      const id = activeChatId.current;
      setRunningAction({ actionId, messageId: message.id });
      try {
        const branch = branchOf(treeRef.current);
        const upTo = branch.slice(0, branch.findIndex((candidate) => candidate.id === message.id) + 1);
        const result = await chatApi.runAction(actionId, {
          model: message.model ?? modelId,
          messages: upTo.map((candidate) => ({ id: candidate.id, role: candidate.role, content: candidate.content, timestamp: candidate.timestamp, sources: candidate.sources })),
          chat_id: id,
          session_id: await connectedSessionId(socket),
          id: message.id,
        });
        updateTree(id, (current) => applyActionResult(current, message.id, result));
      } catch (error) {
        onError(errorMessage(error));
      } finally {
        setRunningAction(null);
      }
    },
    [socket, updateTree],
  );

  return { chatId, title, tree, chatModelId, loadState, loadError, isStreaming: streamingId !== null, runningAction, send, stop, runAction };
}
