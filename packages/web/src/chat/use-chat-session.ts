import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, errorMessage } from "../api/api-error.ts";
import { navigate } from "../app/router.tsx";
import type { Socket } from "socket.io-client";
import { useSocket, useSocketEvent } from "../realtime/socket-provider.tsx";
import { applyActionResult, applyCompletionUpdate, applyEnvelopeToTree } from "./apply-chat-event.ts";
import { chatApi } from "./chat-api.ts";
import { controlsOfChat, withChatControls, type ChatControls } from "./chat-controls.ts";
import { chatList } from "./chat-list-store.ts";
import type { ChatMessage, ChatModel, EventEnvelope, FileEntry, MessageTree } from "./chat-types.ts";
import {
  addMessage,
  branchOf,
  chatFieldsOf,
  deleteMessage,
  EMPTY_TREE,
  showBranch as showBranchOf,
  treeOfChat,
  updateMessage,
} from "./message-tree.ts";
import { newId } from "./new-id.ts";
import { requestFiles, requestMessage } from "./request-message.ts";
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
  /** Sends a question; resolves unsent (with why) when it could not even be saved, leaving the chat as it was. */
  send(text: string, model: ChatModel, filterIds: string[], extras?: SendOptions): Promise<SendResult>;
  /** Stops the answer in progress, whichever tab started it. */
  stop(): Promise<void>;
  runAction(actionId: string, message: ChatMessage, modelId: string, onError: (message: string) => void): Promise<void>;
  /** Asks again for an answer: a new sibling answer under the same question. */
  regenerate(answer: ChatMessage, model: ChatModel, filterIds: string[], extras?: SendOptions): Promise<SendResult>;
  /** Sends an edited question as a new branch: a sibling of the question, with a new answer. */
  resendEdited(question: ChatMessage, text: string, model: ChatModel, filterIds: string[], extras?: SendOptions): Promise<SendResult>;
  /** Asks the model to go on with an answer; what it adds is appended to the same answer. */
  continueAnswer(answer: ChatMessage, model: ChatModel, filterIds: string[], extras?: SendOptions): Promise<SendResult>;
  /** Changes a message's text in place (no model call) and saves it. */
  editInPlace(message: ChatMessage, text: string): Promise<SendResult>;
  /** Deletes a message and everything under it. */
  remove(message: ChatMessage): Promise<SendResult>;
  /** Shows the branch through a message (a sibling picked with `‹ ›`) and saves the choice. */
  showBranch(messageId: string): Promise<SendResult>;
  /** The chat's system prompt and parameters (`chat.params`), sent with each request. */
  controls: ChatControls;
  /** Changes them, and stores them with the chat once it exists (a new chat stores them with its first message). */
  setControls(controls: ChatControls): Promise<void>;
}

/** What goes with a question besides its text: attached files (`files` of the message) and the chosen tools (`tool_ids`). */
export interface SendOptions {
  files?: FileEntry[];
  toolIds?: string[];
}

export type SendResult = { isSent: true } | { isSent: false; error: string };

/** One answer this page streams; detached when the user leaves its chat (its chat then follows it like any other tab). */
interface LocalAnswer {
  answerId: string;
  controller: AbortController | null;
  isDetached: boolean;
}

const SOCKET_WAIT_MS = 3000;
/** How often a chat opened mid-answer asks whether the answer is still being generated. */
const FOLLOW_POLL_MS = 1000;
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

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function newQuestion(parentId: string | null, text: string, model: ChatModel): ChatMessage {
  return { id: newId(), parentId, childrenIds: [], role: "user", content: text, timestamp: nowSeconds(), models: [model.id] };
}

/** An empty answer to stream into. */
function newAnswer(parentId: string, model: ChatModel): ChatMessage {
  return {
    id: newId(),
    parentId,
    childrenIds: [],
    role: "assistant",
    content: "",
    model: model.id,
    modelName: model.name,
    // Open WebUI numbers the answers of a turn by the model that gave them; Sluice asks one model.
    modelIdx: 0,
    timestamp: nowSeconds(),
    done: false,
    statusHistory: [],
  };
}

/** A message's content with its text changed: a list of parts keeps its images and files, with the text first. */
function withText(content: ChatMessage["content"], text: string): ChatMessage["content"] {
  if (!Array.isArray(content)) return text;
  return [{ type: "text", text }, ...content.filter((part) => part.type !== "text")];
}

/**
 * The state and behaviour of one chat on screen (Open WebUI's client flow): load a stored chat;
 * on send, store the question and an empty answer (`/api/v1/chats/new` for the first message),
 * then stream `/api/chat/completions` with `chat_id`, the answer's `id` and the socket's
 * `session_id`, while plugin events on the socket change the answer; run action buttons.
 * A chat opened while an answer is still being generated (`/api/tasks/chat/{id}`) shows it as
 * streaming and follows it through the socket's snapshots until it ends.
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
  const localAnswers = useRef(new Set<LocalAnswer>());
  /** The answer generated elsewhere (another tab, or this page before the user left the chat) that this chat follows. */
  const [followedId, setFollowedId] = useState<string | null>(null);
  const treeRef = useRef(tree);
  treeRef.current = tree;
  const [controls, setControlsState] = useState<ChatControls>({});
  const controlsRef = useRef(controls);
  controlsRef.current = controls;

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
    for (const answer of localAnswers.current) {
      answer.isDetached = true;
      streamingIds.current.delete(answer.answerId);
    }
    setFollowedId(null);
    setChatId(routeChatId);
    setTree(EMPTY_TREE);
    setTitle(null);
    setChatModelId(null);
    setControlsState({});
    setLoadError(null);
    setStreamingId(null);
    setRunningAction(null);
    if (routeChatId === null) {
      setLoadState("ready");
      return;
    }
    setLoadState("loading");
    let isCurrent = true;
    // Which answers are still being generated first: one that ends meanwhile is then saved in the record.
    const generating = chatApi.tasks(routeChatId).catch(() => [] as string[]);
    generating
      .then(async (taskIds) => ({ taskIds, record: await chatApi.get(routeChatId) }))
      .then(
        ({ taskIds, record }) => {
          if (!isCurrent) return;
          const loaded = treeOfChat(record.chat);
          const followed = [...taskIds].reverse().find((id) => loaded.messages[id]);
          setTree(markGenerating(loaded, followed));
          setTitle(record.title);
          setChatModelId(record.chat.models?.[0] ?? null);
          setControlsState(controlsOfChat(record.chat));
          setLoadState("ready");
          if (followed) {
            setFollowedId(followed);
            setStreamingId(followed);
          }
        },
        (error: unknown) => {
          if (!isCurrent) return;
          setLoadError(
            ApiError.isInstance(error) && error.status === 404 ? "This chat does not exist, or it is not yours." : errorMessage(error),
          );
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
    setTree((current) =>
      applyEnvelopeToTree(current, messageId, envelope.data, {
        isStreamingHere: messageId !== null && streamingIds.current.has(messageId),
      }),
    );
  });

  // Follow an answer generated elsewhere: the socket's snapshots fill it in; when its task ends, take what was saved.
  useEffect(() => {
    if (!followedId || !chatId) return;
    const forChatId = chatId;
    let isCurrent = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (saved: ChatMessage | undefined) => {
      if (!isCurrent) return;
      updateTree(forChatId, (current) => updateMessage(current, followedId, (message) => ({ ...message, ...saved, done: true })));
      setFollowedId(null);
      setStreamingId((current) => (current === followedId ? null : current));
    };
    const check = async () => {
      try {
        const taskIds = await chatApi.tasks(forChatId);
        if (!isCurrent) return;
        if (!taskIds.includes(followedId)) {
          const record = await chatApi.get(forChatId);
          finish(treeOfChat(record.chat).messages[followedId]);
          return;
        }
      } catch {
        // the server is unreachable for a moment: ask again
      }
      if (isCurrent) timer = setTimeout(check, FOLLOW_POLL_MS);
    };
    timer = setTimeout(check, FOLLOW_POLL_MS);
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
  }, [followedId, chatId, updateTree]);

  /**
   * Stores the tree with the answer to generate (a new chat for the first message), then streams
   * the answer into it; on a failed save the chat goes back to `treeBefore`.
   */
  const runTurn = useCallback(
    async (turn: {
      treeBefore: MessageTree;
      withMessages: MessageTree;
      answer: ChatMessage;
      model: ChatModel;
      filterIds: string[];
      extras: SendOptions;
      /** Continuing an answer: the model gets the branch with the answer so far (otherwise up to its question). */
      isContinuing?: boolean;
    }): Promise<SendResult> => {
      const { treeBefore, withMessages, answer, model, filterIds } = turn;
      let id = activeChatId.current;
      const local: LocalAnswer = { answerId: answer.id, controller: null, isDetached: false };
      setTree(withMessages);
      setStreamingId(answer.id);
      streamingIds.current.add(answer.id);
      localAnswers.current.add(local);
      const updateAnswer = (change: (message: ChatMessage) => ChatMessage) => {
        if (!local.isDetached) updateTree(id, (current) => updateMessage(current, answer.id, change));
      };

      try {
        if (id === null) {
          const record = await chatApi.create({
            title: "New Chat",
            models: [model.id],
            ...chatFieldsOf(withMessages),
            params: controlsRef.current,
            timestamp: Date.now(),
          });
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
        // Nothing was sent: the chat goes back to how it was, and the composer keeps the text.
        streamingIds.current.delete(answer.id);
        localAnswers.current.delete(local);
        setStreamingId((current) => (current === answer.id ? null : current));
        if (!local.isDetached) updateTree(id, () => treeBefore);
        return { isSent: false, error: `The chat could not be saved: ${errorMessage(error)}` };
      }

      const chatIdForSync = id;
      const streamAnswer = async () => {
        const controller = new AbortController();
        local.controller = controller;
        const branch = branchOf(withMessages);
        const asked = turn.isContinuing ? branch : branch.slice(0, -1);
        const requestMessages = asked.map(requestMessage);
        const files = requestFiles(asked);
        const sessionId = await connectedSessionId(socket);
        const body = withChatControls(
          {
            model: model.id,
            messages: requestMessages as Record<string, unknown>[],
            chat_id: chatIdForSync,
            id: answer.id,
            session_id: sessionId,
            filter_ids: filterIds,
            ...(turn.extras.toolIds?.length ? { tool_ids: turn.extras.toolIds } : {}),
            ...(files.length > 0 ? { files } : {}),
          },
          controlsRef.current,
        );
        let hasFailedEarly = false;
        let isStopped = false;
        try {
          for await (const update of streamChatCompletion(body, controller.signal)) {
            updateAnswer((message) => applyCompletionUpdate(message, update));
          }
        } catch (error) {
          if (controller.signal.aborted) {
            isStopped = true;
            stoppedIds.current.add(answer.id);
          } else {
            hasFailedEarly = ApiError.isInstance(error);
            updateAnswer((message) => ({ ...message, done: true, error: { content: errorMessage(error) } }));
          }
        } finally {
          streamingIds.current.delete(answer.id);
          localAnswers.current.delete(local);
          // A chat the user came back to follows this answer itself, until its task ends.
          if (!local.isDetached) setStreamingId((current) => (current === answer.id ? null : current));
          updateAnswer((message) => (message.done ? message : { ...message, done: true }));
        }

        // The user left the chat: the server saved the answer, and the tree here is another one.
        if (local.isDetached) return;
        if (isStopped) {
          // Stopped without the server's help (it did not know the answer): it saves the cut answer with a "client disconnected" error; keep what the user saw.
          await new Promise((resolve) => setTimeout(resolve, STOP_SAVE_DELAY_MS));
          if (activeChatId.current === chatIdForSync) await chatApi.update(chatIdForSync, chatFieldsOf(treeRef.current)).catch(() => {});
        } else if (hasFailedEarly) {
          // The server refused the request before answering (an inlet filter, an unknown model): it saved nothing, so save the error.
          await chatApi.update(chatIdForSync, chatFieldsOf(treeRef.current)).catch(() => {});
        } else if (!body.session_id) {
          // Without a socket no events came: take what the server saved (outlet changes, statuses).
          const record = await chatApi.get(chatIdForSync).catch(() => null);
          const saved = record ? treeOfChat(record.chat).messages[answer.id] : undefined;
          if (saved) updateAnswer((message) => ({ ...message, ...saved, done: true }));
        }
      };
      void streamAnswer();
      return { isSent: true };
    },
    [socket, updateTree],
  );

  const send = useCallback(
    async (text: string, model: ChatModel, filterIds: string[], extras: SendOptions = {}): Promise<SendResult> => {
      const treeBefore = treeRef.current;
      let question: ChatMessage;
      let answer: ChatMessage;
      try {
        question = { ...newQuestion(treeBefore.currentId, text, model), ...(extras.files?.length ? { files: extras.files } : {}) };
        answer = newAnswer(question.id, model);
      } catch (error) {
        return { isSent: false, error: errorMessage(error) };
      }
      const withMessages = addMessage(addMessage(treeBefore, question), answer);
      return runTurn({ treeBefore, withMessages, answer, model, filterIds, extras });
    },
    [runTurn],
  );

  const regenerate = useCallback(
    async (previous: ChatMessage, model: ChatModel, filterIds: string[], extras: SendOptions = {}): Promise<SendResult> => {
      const treeBefore = treeRef.current;
      const question = previous.parentId ? treeBefore.messages[previous.parentId] : undefined;
      if (!question) return { isSent: false, error: "This answer has no question to ask again." };
      const answer = newAnswer(question.id, model);
      const withMessages = addMessage(treeBefore, answer);
      return runTurn({ treeBefore, withMessages, answer, model, filterIds, extras });
    },
    [runTurn],
  );

  const resendEdited = useCallback(
    async (original: ChatMessage, text: string, model: ChatModel, filterIds: string[], extras: SendOptions = {}): Promise<SendResult> => {
      const treeBefore = treeRef.current;
      const question: ChatMessage = {
        ...newQuestion(original.parentId, text, model),
        content: withText(original.content, text),
        ...(original.files ? { files: original.files } : {}),
      };
      const answer = newAnswer(question.id, model);
      const withMessages = addMessage(addMessage(treeBefore, question), answer);
      return runTurn({ treeBefore, withMessages, answer, model, filterIds, extras });
    },
    [runTurn],
  );

  const continueAnswer = useCallback(
    async (answer: ChatMessage, model: ChatModel, filterIds: string[], extras: SendOptions = {}): Promise<SendResult> => {
      const treeBefore = treeRef.current;
      const { error: _error, ...rest } = answer;
      const going: ChatMessage = { ...rest, done: false };
      const withMessages = updateMessage(showBranchOf(treeBefore, answer.id), answer.id, () => going);
      return runTurn({ treeBefore, withMessages, answer: going, model, filterIds, extras, isContinuing: true });
    },
    [runTurn],
  );

  /** Shows and stores a changed tree; on a failed save the chat goes back to how it was. */
  const saveTree = useCallback(
    async (change: (tree: MessageTree) => MessageTree): Promise<SendResult> => {
      const id = activeChatId.current;
      const treeBefore = treeRef.current;
      const next = change(treeBefore);
      if (next === treeBefore) return { isSent: true };
      setTree(next);
      treeRef.current = next;
      if (id === null) return { isSent: true };
      try {
        await chatApi.update(id, chatFieldsOf(next));
        return { isSent: true };
      } catch (error) {
        updateTree(id, (current) => (current === next ? treeBefore : current));
        return { isSent: false, error: `The chat could not be saved: ${errorMessage(error)}` };
      }
    },
    [updateTree],
  );

  const editInPlace = useCallback(
    (message: ChatMessage, text: string) =>
      saveTree((tree) => updateMessage(tree, message.id, (current) => ({ ...current, content: withText(current.content, text) }))),
    [saveTree],
  );
  const remove = useCallback((message: ChatMessage) => saveTree((tree) => deleteMessage(tree, message.id)), [saveTree]);
  const showBranch = useCallback((messageId: string) => saveTree((tree) => showBranchOf(tree, messageId)), [saveTree]);

  const stop = useCallback(async () => {
    const answerId = streamingId;
    if (!answerId) return;
    // The server stops it and saves what came, for this tab and any other following it.
    await chatApi.stopTask(answerId).catch(() => {});
    for (const local of localAnswers.current) if (local.answerId === answerId) local.controller?.abort();
  }, [streamingId]);

  const runAction = useCallback(
    async (actionId: string, message: ChatMessage, modelId: string, onError: (detail: string) => void) => {
      const id = activeChatId.current;
      setRunningAction({ actionId, messageId: message.id });
      try {
        const branch = branchOf(treeRef.current);
        const upTo = branch.slice(0, branch.findIndex((candidate) => candidate.id === message.id) + 1);
        const result = await chatApi.runAction(actionId, {
          model: message.model ?? modelId,
          messages: upTo.map((candidate) => ({
            id: candidate.id,
            role: candidate.role,
            content: candidate.content,
            timestamp: candidate.timestamp,
            sources: candidate.sources,
          })),
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

  const setControls = useCallback(async (next: ChatControls) => {
    setControlsState(next);
    controlsRef.current = next;
    const id = activeChatId.current;
    if (id !== null) await chatApi.update(id, { params: next });
  }, []);

  return {
    controls,
    setControls,
    chatId,
    title,
    tree,
    chatModelId,
    loadState,
    loadError,
    isStreaming: streamingId !== null,
    runningAction,
    send,
    stop,
    runAction,
    regenerate,
    resendEdited,
    continueAnswer,
    editInPlace,
    remove,
    showBranch,
  };
}

/** Marks the followed answer as generating and every other unfinished one as done (its generation ended without saving, e.g. the tab closed first). */
function markGenerating(tree: MessageTree, generatingId: string | undefined): MessageTree {
  let next = tree;
  for (const message of Object.values(tree.messages)) {
    if (message.id === generatingId) next = updateMessage(next, message.id, (current) => ({ ...current, done: false }));
    else if (message.role === "assistant" && message.done === false)
      next = updateMessage(next, message.id, (current) => ({ ...current, done: true }));
  }
  return next;
}
