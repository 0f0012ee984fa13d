import { messageOf } from "./describe-value.ts";

/**
 * The longest JSON text (in UTF-16 code units) a result may take to cross to the host: a hook
 * returning more fails with a clear error instead of making the server copy it.
 */
export const MAX_RESULT_LENGTH = 16 * 1024 * 1024;

/**
 * A result as JSON text for the host, or the JSON of a `PLUGIN_ERROR` result when it is larger
 * than {@link MAX_RESULT_LENGTH} or cannot be serialised. `what` names it in the message.
 *
 * @example
 * serializeResult({ ok: true, value: body }, "What inlet returned"); // '{"ok":true,"value":{…}}'
 */
export function serializeResult(result: unknown, what: string): string {
  let text: string;
  try {
    text = JSON.stringify(result) ?? "null";
  } catch (error) {
    return failure(`${what} could not be turned into JSON: ${messageOf(error)}`);
  }
  if (text.length <= MAX_RESULT_LENGTH) return text;
  return failure(`${what} is ${text.length} characters of JSON; the limit is ${MAX_RESULT_LENGTH}`);
}

function failure(message: string): string {
  return JSON.stringify({ ok: false, error: { code: "PLUGIN_ERROR", message } });
}
