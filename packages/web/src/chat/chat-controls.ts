/**
 * A chat's own settings, stored in its JSON as Open WebUI does (`chat.params`, with the system
 * prompt in `params.system`) and sent with each of its requests.
 */
export interface ChatControls {
  system?: string;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
}

/** The numeric request fields the controls panel offers, with their bounds. */
export const CONTROL_PARAMS = [
  { key: "temperature", label: "Temperature", min: 0, max: 2, step: 0.1, isInteger: false },
  { key: "top_p", label: "Top P", min: 0, max: 1, step: 0.05, isInteger: false },
  { key: "max_tokens", label: "Max tokens", min: 1, max: 1_000_000, step: 1, isInteger: true },
  { key: "seed", label: "Seed", min: 0, max: Number.MAX_SAFE_INTEGER, step: 1, isInteger: true },
] as const;

export type ControlParamKey = (typeof CONTROL_PARAMS)[number]["key"];

/**
 * The controls a stored chat holds: `chat.params` (numbers only where numbers belong), and its
 * system prompt from `params.system`, else Open WebUI's older `chat.system`.
 *
 * @example
 * controlsOfChat({ params: { temperature: 0.2, system: "Be brief." } }); // { system: "Be brief.", temperature: 0.2 }
 */
export function controlsOfChat(chat: Record<string, unknown> | undefined): ChatControls {
  const params = typeof chat?.params === "object" && chat.params !== null ? (chat.params as Record<string, unknown>) : {};
  const controls: ChatControls = {};
  const system = typeof params.system === "string" ? params.system : typeof chat?.system === "string" ? chat.system : "";
  if (system.trim()) controls.system = system;
  for (const { key } of CONTROL_PARAMS) {
    const value = params[key];
    if (typeof value === "number" && Number.isFinite(value)) controls[key] = value;
  }
  return controls;
}

/** Whether any control is set (the top bar's button shows it). */
export function hasControls(controls: ChatControls): boolean {
  return Object.values(controls).some((value) => value !== undefined);
}

/**
 * A chat request with the chat's controls: its system prompt as the first message (before any
 * the client sent) and its parameters as request fields. The server then adds a custom model's
 * own system prompt before it, and its parameters where the chat set none.
 *
 * @example
 * withChatControls({ model: "m", messages: [{ role: "user", content: "hi" }] }, { system: "Be brief.", temperature: 0.2 });
 * // { model: "m", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }], temperature: 0.2 }
 */
export function withChatControls<Body extends { messages: unknown[] }>(body: Body, controls: ChatControls): Body {
  const { system, ...params } = controls;
  const next: Body = { ...body, ...params };
  if (system?.trim()) next.messages = [{ role: "system", content: system }, ...body.messages];
  return next;
}
