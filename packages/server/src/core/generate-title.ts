import type { ChatRequest } from "./chat-request.ts";
import type { FinishedTurn } from "./finish-turn.ts";
import type { TurnPorts } from "./ports.ts";
import type { CatalogModel } from "./resolve-model.ts";
import { startChatTurn } from "./start-chat-turn.ts";

const DEFAULT_TITLES = new Set(["", "New Chat", "New chat"]);
const PROMPT_MARK = "Generate a concise, 3-5 word title";

/**
 * The model that names chats: `TASK_MODEL`, else the first upstream model, else the chat's own
 * model (a pipe only when nothing else exists: pipes answer in their own way, not to a task).
 */
async function titleModel(ports: TurnPorts, model: CatalogModel): Promise<string> {
  if (ports.settings.taskModel) return ports.settings.taskModel;
  if (model.source.kind === "upstream") return model.id;
  const upstream = (await ports.gateway.listModels())[0];
  return upstream?.id ?? model.id;
}
const TITLE_TIMEOUT_MS = 60_000;

function titlePrompt(messages: ChatRequest["messages"]): string {
  const transcript = messages
    .filter((message) => message.role === "user" || message.role === "assistant")
    .slice(-4)
    .map(
      (message) =>
        `${message.role.toUpperCase()}: ${typeof message.content === "string" ? message.content : JSON.stringify(message.content)}`,
    )
    .join("\n");
  return [
    "### Task:",
    `${PROMPT_MARK} with an emoji summarizing the chat history.`,
    '### Output:\nJSON format: { "title": "your concise title here" }',
    `### Chat History:\n<chat_history>\n${transcript}\n</chat_history>`,
  ].join("\n");
}

/** The title in a model's answer: `{"title": …}` JSON when present, else the first line. */
export function parseTitle(text: string): string | undefined {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start !== -1 && end > start) {
    try {
      const answer = JSON.parse(text.slice(start, end + 1)) as { title?: unknown } | null;
      if (typeof answer === "object" && answer !== null && "title" in answer) {
        const title = typeof answer.title === "string" ? answer.title.trim() : "";
        // `{"title": ""}` says there is no title; its JSON is not one either.
        return title ? title.slice(0, 100) : undefined;
      }
    } catch {
      // not JSON: fall through to the first line
    }
  }
  const line = text
    .trim()
    .split("\n")[0]
    ?.replace(/^["'#\s]+|["'\s]+$/g, "");
  return line ? line.slice(0, 100) : undefined;
}

/**
 * After the first answer in a chat that still has its default title, asks the task model (see
 * `titleModel`) for a title through the same pipeline (filters see `ctx.metadata.task =
 * "title_generation"`), stores it and sends `chat:title`. Failures are logged only.
 */
export function generateTitleInBackground(ports: TurnPorts, turn: FinishedTurn): void {
  const { user, request, model } = turn;
  const chatId = request.chat_id;
  if (!ports.settings.enableTitleGeneration || !chatId) return;
  if (request.messages.filter((message) => message.role === "user").length !== 1) return;
  void (async () => {
    const chat = await ports.chats.findChat(user.id, chatId);
    if (!chat || !DEFAULT_TITLES.has(chat.title.trim())) return;
    const run = await startChatTurn(ports, {
      user,
      request: {
        model: await titleModel(ports, model),
        messages: [{ role: "user", content: titlePrompt(request.messages) }],
        stream: false,
      },
      signal: AbortSignal.timeout(TITLE_TIMEOUT_MS),
      task: "title_generation",
    });
    let text = "";
    for await (const chunk of run.chunks) {
      const delta = chunk.choices[0]?.delta.content;
      if (typeof delta === "string") text += delta;
    }
    // A model that echoes its input (a pipe, often) gives the prompt back, not a title.
    const title = text.includes(PROMPT_MARK) ? undefined : parseTitle(text);
    if (!title) return;
    await ports.chats.updateTitle(user.id, chatId, title);
    await ports.events.notify(user, { chatId, messageId: request.id }, { type: "chat:title", data: title });
  })().catch((error) => ports.log.warn({ err: error, chatId }, "title generation failed"));
}
