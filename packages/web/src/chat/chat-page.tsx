import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { errorMessage } from "../api/api-error.ts";
import { useAuth } from "../auth/auth-context.tsx";
import { usePageTitle } from "../app/page-title.tsx";
import { Link } from "../app/router.tsx";
import { Spinner } from "../ui/spinner.tsx";
import { useToaster } from "../ui/toasts.tsx";
import { chatApi } from "./chat-api.ts";
import { useChatList } from "./chat-list-store.ts";
import { ChatInput } from "./chat-input.tsx";
import type { ChatMessage, ChatModel, ModelAction } from "./chat-types.ts";
import { branchOf } from "./message-tree.ts";
import { MessageView } from "./message-view.tsx";
import { ModelPicker } from "./model-picker.tsx";
import { PluginSettingsDialog } from "./plugin-settings-dialog.tsx";
import { useChatSession } from "./use-chat-session.ts";

const MODEL_KEY = "sluice.model";

type ModelsState = { state: "loading" } | { state: "failed"; message: string } | { state: "ready"; models: ChatModel[] };

function rememberedModel(): string | null {
  try {
    return localStorage.getItem(MODEL_KEY);
  } catch {
    return null;
  }
}

function defaultFilterIds(model: ChatModel | undefined): Set<string> {
  const toggleable = new Set((model?.filters ?? []).map((filter) => filter.id));
  return new Set((model?.info?.meta?.defaultFilterIds ?? []).filter((id) => toggleable.has(id)));
}

/** The chat: model picker, the conversation with live plugin events and action buttons, and the input with filter chips. */
export function ChatPage({ chatId }: { chatId: string | null }) {
  const { user } = useAuth();
  const toaster = useToaster();
  const session = useChatSession(chatId);
  const [modelsState, setModelsState] = useState<ModelsState>({ state: "loading" });
  const [chosenModelId, setChosenModelId] = useState<string | null>(null);
  const [enabledFilters, setEnabledFilters] = useState<{ modelId: string | null; ids: Set<string> }>({ modelId: null, ids: new Set() });
  const [isSettingsOpen, setIsSettingsOpen] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const isPinnedToBottom = useRef(true);
  // The sidebar's list has the chat's latest title (renamed there, or by `chat:title`).
  const listedTitle = useChatList().chats.find((chat) => chat.id === session.chatId)?.title;
  usePageTitle(listedTitle || session.title || (chatId ? null : "New chat"));

  const loadModels = useCallback(() => {
    setModelsState({ state: "loading" });
    chatApi.models().then(
      (models) => setModelsState({ state: "ready", models }),
      (error: unknown) => setModelsState({ state: "failed", message: errorMessage(error) }),
    );
  }, []);
  useEffect(loadModels, [loadModels]);

  const models = modelsState.state === "ready" ? modelsState.models : [];
  const modelId = useMemo(() => {
    const candidates = [chosenModelId, session.chatModelId, rememberedModel()];
    const known = candidates.find((id) => id && models.some((model) => model.id === id));
    return known ?? chosenModelId ?? session.chatModelId ?? models[0]?.id ?? null;
  }, [chosenModelId, session.chatModelId, models]);
  const model = models.find((candidate) => candidate.id === modelId);
  const filterIds = enabledFilters.modelId === modelId ? enabledFilters.ids : defaultFilterIds(model);

  // A chat opened from the list starts with its own model.
  useEffect(() => setChosenModelId(null), [chatId]);

  const chooseModel = (id: string) => {
    setChosenModelId(id);
    try {
      localStorage.setItem(MODEL_KEY, id);
    } catch {
      // storage unavailable: the choice lasts for this page
    }
  };

  const toggleFilter = (id: string) => {
    const next = new Set(filterIds);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setEnabledFilters({ modelId, ids: next });
  };

  const messages = branchOf(session.tree);
  const modelNames = useMemo(() => new Map(models.map((candidate) => [candidate.id, candidate.name])), [models]);
  const actionsOf = (message: ChatMessage): ModelAction[] =>
    models.find((candidate) => candidate.id === message.model)?.actions ?? model?.actions ?? [];

  const onAction = useCallback(
    (action: ModelAction, message: ChatMessage) => {
      void session.runAction(action.id, message, modelId ?? "", (detail) =>
        toaster.show({ type: "error", content: `${action.name} failed: ${detail}` }),
      );
    },
    [session.runAction, modelId, toaster],
  );

  // Follow the answer as it grows, unless the reader scrolled up.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && isPinnedToBottom.current) element.scrollTop = element.scrollHeight;
  });

  const send = async (text: string): Promise<boolean> => {
    if (!model) return false;
    isPinnedToBottom.current = true;
    const result = await session.send(text, model, [...filterIds]);
    if (!result.isSent) toaster.show({ type: "error", content: result.error });
    return result.isSent;
  };

  const askFollowUp = (question: string) => void send(question);

  const disabledReason =
    modelsState.state === "loading"
      ? "Loading models…"
      : models.length === 0
        ? "No model is available"
        : session.loadState !== "ready"
          ? "Loading the chat…"
          : !model
            ? "Choose a model first"
            : undefined;

  return (
    <div className="chat-page">
      <div className="chat-toolbar">
        <ModelPicker models={models} value={modelId} onChange={chooseModel} isDisabled={session.isStreaming} />
        {modelsState.state === "loading" && <Spinner label="Loading models" />}
      </div>
      <div
        className="chat-scroller"
        ref={scroller}
        onScroll={(event) => {
          const element = event.currentTarget;
          isPinnedToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
        }}
      >
        <div className="chat-messages" aria-live="off">
          {session.loadState === "loading" && (
            <div className="empty-state">
              <Spinner label="Loading the chat" size="large" />
            </div>
          )}
          {session.loadState === "failed" && (
            <div className="empty-state" role="alert">
              <h2>Cannot open this chat</h2>
              <p>{session.loadError}</p>
              <Link to="/">Start a new chat</Link>
            </div>
          )}
          {modelsState.state === "failed" && (
            <div className="message-error" role="alert">
              The models could not be loaded: {modelsState.message}{" "}
              <button type="button" className="link-button" onClick={loadModels}>
                Retry
              </button>
            </div>
          )}
          {session.loadState === "ready" && messages.length === 0 && (
            <div className="chat-welcome">
              <h2>Hello{user?.name ? `, ${user.name.split(" ")[0]}` : ""}</h2>
              <p className="muted">
                {modelsState.state === "ready" && models.length === 0
                  ? user?.role === "admin"
                    ? "No model is available yet: set OPENAI_API_BASE_URL for an upstream, or add a pipe in the workspace."
                    : "No model is available yet: ask an admin to add one."
                  : "Ask anything. Plugins of the model show their progress here as they work."}
              </p>
            </div>
          )}
          {messages.map((message, index) => (
            <MessageView
              key={message.id}
              message={message}
              modelName={(message.model && modelNames.get(message.model)) || (message.modelName as string | undefined)}
              actions={message.role === "assistant" ? actionsOf(message) : []}
              runningActionId={session.runningAction?.messageId === message.id ? session.runningAction.actionId : null}
              onAction={onAction}
              onFollowUp={index === messages.length - 1 && message.role === "assistant" ? askFollowUp : undefined}
              canFollowUp={!session.isStreaming && disabledReason === undefined}
            />
          ))}
        </div>
      </div>
      <div className="chat-input-area">
        <ChatInput
          isStreaming={session.isStreaming}
          isDisabled={disabledReason !== undefined}
          disabledReason={disabledReason}
          filters={model?.filters ?? []}
          enabledFilterIds={filterIds}
          onToggleFilter={toggleFilter}
          onSend={send}
          onStop={() => void session.stop()}
          onOpenSettings={model ? () => setIsSettingsOpen(true) : undefined}
        />
      </div>
      {isSettingsOpen && model && <PluginSettingsDialog model={model} onClose={() => setIsSettingsOpen(false)} />}
    </div>
  );
}
