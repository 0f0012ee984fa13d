import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { errorMessage } from "../api/api-error.ts";
import { useAuth } from "../auth/auth-context.tsx";
import { usePageTitle } from "../app/page-title.tsx";
import { Link } from "../app/router.tsx";
import { Spinner } from "../ui/spinner.tsx";
import { useToaster } from "../ui/toasts.tsx";
import { AnswerAnnouncer } from "./answer-announcer.tsx";
import { chatApi } from "./chat-api.ts";
import { ChatControlsButton } from "./chat-controls-button.tsx";
import { focusComposer } from "./focus-composer.ts";
import { useStopOnEscape } from "./use-stop-on-escape.ts";
import { useChatList } from "./chat-list-store.ts";
import { ChatInput, type SendExtras } from "./chat-input.tsx";
import type { ChatMessage, ChatModel, ModelAction } from "./chat-types.ts";
import { ConfirmDialog } from "../workspace/confirm-dialog.tsx";
import { contentText } from "./content-text.ts";
import { isVisionCapable, notVisionCapableMessage } from "../workspace/models/model-capabilities.ts";
import { MessageActions } from "./message-actions.tsx";
import { MessageEditor } from "./message-editor.tsx";
import { branchOf, siblingsOf } from "./message-tree.ts";
import { MessageView } from "./message-view.tsx";
import { ModelPicker } from "./model-picker.tsx";
import { PluginSettingsDialog } from "./plugin-settings-dialog.tsx";
import { useChatToolIds } from "./tool-picker.tsx";
import { type SendResult, useChatSession } from "./use-chat-session.ts";
import { useTranslate } from "../i18n/i18n.ts";

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
  const t = useTranslate();
  const [modelsState, setModelsState] = useState<ModelsState>({ state: "loading" });
  const [chosenModelId, setChosenModelId] = useState<string | null>(null);
  const [enabledFilters, setEnabledFilters] = useState<{ modelId: string | null; ids: Set<string> }>({ modelId: null, ids: new Set() });
  const [isSettingsOpen, setIsSettingsOpen] = useState(false);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<ChatMessage | null>(null);
  const [toolIds, setToolIds] = useChatToolIds(session.chatId);
  const scroller = useRef<HTMLDivElement>(null);
  const isPinnedToBottom = useRef(true);
  // The sidebar's list has the chat's latest title (renamed there, or by `chat:title`).
  const listedTitle = useChatList().chats.find((chat) => chat.id === session.chatId)?.title;
  usePageTitle(listedTitle || session.title || (chatId ? null : t("New chat")));

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

  // A chat opened from the list starts with its own model, and the cursor in the message box.
  useEffect(() => {
    setChosenModelId(null);
    setEditingId(null);
    focusComposer({ unlessTouch: true });
  }, [chatId]);
  useStopOnEscape(session.isStreaming, () => void session.stop());

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

  const send = async (text: string, extras?: SendExtras): Promise<boolean> => {
    if (!model) return false;
    isPinnedToBottom.current = true;
    const result = await session.send(text, model, [...filterIds], { files: [], toolIds: [...toolIds], ...extras });
    if (!result.isSent) toaster.show({ type: "error", content: result.error });
    return result.isSent;
  };

  const askFollowUp = (question: string) => void send(question);

  /** Shows why a change could not be made; resolves whether it was. */
  const report = async (change: Promise<SendResult>): Promise<boolean> => {
    const result = await change;
    if (!result.isSent) toaster.show({ type: "error", content: result.error });
    return result.isSent;
  };

  /** An answer's own model when it is still offered (Open WebUI regenerates with it), else the one chosen. */
  const modelFor = (message: ChatMessage): ChatModel | undefined => models.find((candidate) => candidate.id === message.model) ?? model;

  const answerAgain = async (message: ChatMessage, how: "regenerate" | "continue") => {
    const answerModel = modelFor(message);
    if (!answerModel) return;
    isPinnedToBottom.current = true;
    await report(
      how === "regenerate"
        ? session.regenerate(message, answerModel, [...filterIds], { toolIds: [...toolIds] })
        : session.continueAnswer(message, answerModel, [...filterIds], { toolIds: [...toolIds] }),
    );
  };

  const submitEdit = async (message: ChatMessage, text: string): Promise<boolean> => {
    let isDone: boolean;
    if (message.role === "user") {
      if (!model) return false;
      isPinnedToBottom.current = true;
      isDone = await report(session.resendEdited(message, text, model, [...filterIds], { toolIds: [...toolIds] }));
    } else {
      isDone = await report(session.editInPlace(message, text));
    }
    if (isDone) setEditingId(null);
    return isDone;
  };

  const disabledReason =
    modelsState.state === "loading"
      ? t("Loading models…")
      : models.length === 0
        ? t("No model is available")
        : session.loadState !== "ready"
          ? t("Loading the chat…")
          : !model
            ? t("Choose a model first")
            : undefined;

  /** The row under a finished message: its versions, Copy, Edit, Regenerate, Continue, Delete and the model's actions. */
  const actionsBar = (message: ChatMessage, index: number) =>
    message.done !== false && (
      <MessageActions
        message={message}
        siblingIds={siblingsOf(session.tree, message.id)}
        isDisabled={session.isStreaming || disabledReason !== undefined}
        onShow={(id) => void report(session.showBranch(id))}
        onEdit={() => setEditingId(message.id)}
        copyText={message.role === "assistant" ? contentText(message.content) : undefined}
        onRegenerate={message.role === "assistant" ? () => void answerAgain(message, "regenerate") : undefined}
        onContinue={message.role === "assistant" && index === messages.length - 1 ? () => void answerAgain(message, "continue") : undefined}
        onDelete={() => setDeleting(message)}
        actions={message.role === "assistant" ? actionsOf(message) : []}
        runningActionId={session.runningAction?.messageId === message.id ? session.runningAction.actionId : null}
        onAction={onAction}
      />
    );

  return (
    <div className="chat-page">
      <div className="chat-toolbar">
        <ModelPicker models={models} value={modelId} onChange={chooseModel} isDisabled={session.isStreaming} />
        {modelsState.state === "loading" && <Spinner label={t("Loading models")} />}
        <div className="chat-toolbar-end">
          <ChatControlsButton controls={session.controls} onSave={session.setControls} />
        </div>
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
              <Spinner label={t("Loading the chat")} size="large" />
            </div>
          )}
          {session.loadState === "failed" && (
            <div className="empty-state" role="alert">
              <h2>{t("Cannot open this chat")}</h2>
              <p>{session.loadError}</p>
              <Link to="/">{t("Start a new chat")}</Link>
            </div>
          )}
          {modelsState.state === "failed" && (
            <div className="message-error" role="alert">
              {t("The models could not be loaded: {reason}", { reason: modelsState.message })}{" "}
              <button type="button" className="link-button" onClick={loadModels}>
                {t("Retry")}
              </button>
            </div>
          )}
          {session.loadState === "ready" && messages.length === 0 && (
            <div className="chat-welcome">
              <h2>{user?.name ? t("Hello, {name}", { name: user.name.split(" ")[0]! }) : t("Hello")}</h2>
              <p className="muted">
                {modelsState.state === "ready" && models.length === 0
                  ? user?.role === "admin"
                    ? t("No model is available yet: add a connection under Admin, or a pipe in the workspace.")
                    : t("No model is available yet: ask an admin to add one.")
                  : t("Ask anything. Plugins of the model show their progress here as they work.")}
              </p>
            </div>
          )}
          {messages.map((message, index) => (
            <div key={message.id} className="message-turn">
              {editingId === message.id ? (
                <MessageEditor
                  message={message}
                  submitLabel={message.role === "user" ? t("Send") : t("Save")}
                  onSubmit={(text) => submitEdit(message, text)}
                  onCancel={() => setEditingId(null)}
                />
              ) : (
                <MessageView
                  message={message}
                  modelName={(message.model && modelNames.get(message.model)) || (message.modelName as string | undefined)}
                  toolbar={message.role === "assistant" && actionsBar(message, index)}
                  onFollowUp={index === messages.length - 1 && message.role === "assistant" ? askFollowUp : undefined}
                  canFollowUp={!session.isStreaming && disabledReason === undefined}
                />
              )}
              {editingId !== message.id && message.role === "user" && actionsBar(message, index)}
            </div>
          ))}
        </div>
      </div>
      <div className="chat-input-area">
        <ChatInput
          isStreaming={session.isStreaming}
          isDisabled={disabledReason !== undefined}
          disabledReason={disabledReason}
          imageRefusal={model && !isVisionCapable(model.info?.meta) ? notVisionCapableMessage(model) : undefined}
          filters={model?.filters ?? []}
          enabledFilterIds={filterIds}
          onToggleFilter={toggleFilter}
          onSend={send}
          onStop={() => void session.stop()}
          onOpenSettings={model ? () => setIsSettingsOpen(true) : undefined}
          toolIds={toolIds}
          onToolIdsChange={setToolIds}
        />
      </div>
      <AnswerAnnouncer messages={messages} />
      {isSettingsOpen && model && <PluginSettingsDialog model={model} onClose={() => setIsSettingsOpen(false)} />}
      {deleting && (
        <ConfirmDialog
          title={t("Delete message?")}
          confirmLabel={t("Delete")}
          isDangerous
          onConfirm={async () => {
            const result = await session.remove(deleting);
            if (!result.isSent) throw new Error(result.error);
          }}
          onClose={() => setDeleting(null)}
        >
          {deleting.role === "user"
            ? t("Your message and every message after it in this branch are deleted.")
            : t("This answer and every message after it in this branch are deleted.")}
        </ConfirmDialog>
      )}
    </div>
  );
}
