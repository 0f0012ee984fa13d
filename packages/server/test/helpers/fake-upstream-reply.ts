/**
 * What the fake upstream answers to a chat request, decided from the conversation alone, so a
 * test scripts the "model" by what the user says. See `startFakeUpstream` for the rules.
 */
export type FakeReply =
  | { kind: "content"; pieces: string[]; delayMs: number; reasoning?: string[] }
  | { kind: "tool-call"; name: string; arguments: string }
  | { kind: "error"; status: number; message: string; type: string }
  | { kind: "stream-error"; pieces: string[]; message: string };

interface RequestMessage {
  role?: unknown;
  content?: unknown;
}

interface RequestTool {
  function?: { name?: unknown };
}

/** The text of a message: a string content, or its text parts joined. */
export function messageText(message: RequestMessage | undefined): string {
  const content = message?.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (typeof part === "object" && part !== null && typeof part.text === "string" ? part.text : "")).join("");
}

/** "You said: hi" → ["You", " said:", " hi"]: about three chunks whatever the text. */
function threePieces(prefix: string, text: string): string[] {
  const [first, ...rest] = prefix.split(" ");
  return [first ?? "", ` ${rest.join(" ")}`, ` ${text}`];
}

const WEATHER_CITY = /weather in ([\p{L}'-]+(?:\s+\p{Lu}[\p{L}'-]*)*)/u;

/** `timesAsked`: how many chat requests with the same last user text came before this one (for `numbered`). */
export function planReply(body: Record<string, unknown>, timesAsked = 0): FakeReply {
  const messages = (Array.isArray(body.messages) ? body.messages : []) as RequestMessage[];
  const tools = (Array.isArray(body.tools) ? body.tools : []) as RequestTool[];
  const toolNames = tools.map((tool) => tool.function?.name).filter((name): name is string => typeof name === "string");
  const last = messages.at(-1);
  const lastUser = messages.findLast((message) => message.role === "user");
  const userText = messageText(lastUser);

  const isTitleTask = messages.some(
    (message) => (message.role === "system" || message.role === "user") && messageText(message).includes("Generate a concise"),
  );
  if (isTitleTask) return { kind: "content", pieces: ['{"title": ', '"Fake Title"}'], delayMs: 0 };
  if (userText.includes("fail")) return { kind: "error", status: 500, message: "upstream exploded", type: "server_error" };
  if (userText.includes("stream error")) return { kind: "stream-error", pieces: ["Partial ", "answer"], message: "stream exploded" };
  if (userText.includes("loop tools") && toolNames.length > 0) return { kind: "tool-call", name: toolNames[0]!, arguments: "{}" };
  if (last?.role === "tool") return { kind: "content", pieces: threePieces("Tool said:", messageText(last)), delayMs: 0 };
  const city = last?.role === "user" ? WEATHER_CITY.exec(userText)?.[1] : undefined;
  const weatherTool = toolNames.find((name) => name.includes("weather"));
  if (city && weatherTool) return { kind: "tool-call", name: weatherTool, arguments: JSON.stringify({ city }) };
  if (userText.includes("think first"))
    return {
      kind: "content",
      reasoning: ["Let me think.", "\nTwo and two", " make four."],
      pieces: threePieces("You said:", userText),
      delayMs: 400,
    };
  if (userText.includes("slow")) return { kind: "content", pieces: Array.from({ length: 200 }, () => "tick "), delayMs: 50 };
  if (last?.role === "assistant") return { kind: "content", pieces: [" and", " so", " on."], delayMs: 0 };
  if (userText.includes("numbered")) return { kind: "content", pieces: threePieces(`Answer ${timesAsked + 1}:`, userText), delayMs: 0 };
  return { kind: "content", pieces: threePieces("You said:", userText), delayMs: 0 };
}
