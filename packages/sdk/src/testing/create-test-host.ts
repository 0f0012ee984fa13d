import { ERROR_CODES, SluiceError, type ErrorCode } from "../errors.ts";
import type { CustomSluiceEvent, SluiceEvent } from "../sluice-event.ts";
import type { HostFetchRequest, HostFetchResponse, HostResult, HostServeRequest, LogLevel, SluiceHost } from "../runtime/types.ts";
import { messageOf } from "../runtime/describe-value.ts";

/**
 * What a test's `fetch` option may answer: a plain description of the response (an object `body`
 * is sent as JSON) or a web `Response`.
 *
 * @example
 * const answer: TestFetchAnswer = { status: 200, body: { items: [] } };
 */
export type TestFetchAnswer =
  | { status?: number; statusText?: string; headers?: Record<string, string>; body?: unknown; url?: string }
  | {
      status: number;
      statusText: string;
      url: string;
      headers: { forEach(callback: (value: string, name: string) => void): void };
      text(): Promise<string>;
    };

/**
 * Answers the plugin's `ctx.fetch` in tests.
 *
 * @example
 * const fetch: TestFetch = (request) => request.url.endsWith("/ping") ? { body: "pong" } : { status: 404 };
 */
export type TestFetch = (request: HostFetchRequest) => TestFetchAnswer | Promise<TestFetchAnswer>;

/**
 * Answers the plugin's `ctx.call` in tests (the user's reply to a confirmation or input dialog).
 *
 * @example
 * const answerCalls: AnswerCalls = (event) => (event.type === "confirmation" ? true : "Ada");
 */
export type AnswerCalls = (event: { type: string; data: unknown }) => unknown;

/**
 * Everything a plugin did through its host during a test.
 *
 * @example
 * const record: TestRecord = { events: [], calls: [], logs: [], fetches: [] };
 */
export interface TestRecord {
  events: Array<SluiceEvent | CustomSluiceEvent>;
  calls: Array<{ type: string; data: unknown; answer: unknown }>;
  logs: Array<{ level: LogLevel; message: string }>;
  fetches: HostFetchRequest[];
}

/**
 * A {@link SluiceHost} that records into `record` and answers calls and fetches from the options.
 *
 * @example
 * const host = createTestHost(record, { fetch: () => ({ body: "ok" }) });
 */
export function createTestHost(
  record: TestRecord,
  options: { fetch?: TestFetch; answerCalls?: AnswerCalls; serve?: (invocationId: string, request: HostServeRequest) => Promise<unknown> },
): SluiceHost {
  return {
    async emit(_invocationId, event) {
      record.events.push(event as SluiceEvent);
      return { ok: true, value: null };
    },
    async call(_invocationId, event) {
      if (!options.answerCalls) return failure("FORBIDDEN", "No answerCalls option was given to createTestHarness");
      return settle(async () => {
        const answer = await options.answerCalls!(event);
        record.calls.push({ type: event.type, data: event.data, answer });
        return answer;
      }, "INTERNAL");
    },
    async fetch(_invocationId, request) {
      record.fetches.push(request);
      const answer = options.fetch;
      if (!answer)
        return failure(
          "PERMISSION_DENIED",
          `ctx.fetch(${request.url}) is not allowed in this test: pass a fetch option to createTestHarness`,
        );
      return settle(async () => toHostResponse(await answer(request), request.url), "UPSTREAM_ERROR");
    },
    async serve(invocationId, request) {
      if (!options.serve) return failure("INVALID_INPUT", `The test harness does not serve "${request.method}"`);
      return settle(async () => options.serve!(invocationId, request), "INTERNAL");
    },
    log(_invocationId, level, message) {
      record.logs.push({ level, message });
    },
    sleep: (milliseconds) => new Promise((resolve) => setTimeout(() => resolve({ ok: true, value: null }), milliseconds)),
    randomBytes: (length) => Array.from(globalThis.crypto.getRandomValues(new Uint8Array(length))),
    parseUrl(input, base) {
      // Tests run the plugin where URL exists already; this serves code that calls the host itself.
      if (!URL.canParse(input, base)) return failure("INVALID_INPUT", "Invalid URL");
      const { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } = new URL(input, base);
      return { ok: true, value: { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } };
    },
  };
}

function failure(code: ErrorCode, message: string): HostResult<never> {
  return { ok: false, error: { code, message } };
}

// Host capabilities never reject (docs/internals/plugin-runtime.md §4): a throwing test callback becomes an error result.
async function settle<T>(run: () => Promise<T>, fallbackCode: ErrorCode): Promise<HostResult<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const code = SluiceError.isInstance(error) && ERROR_CODES.includes(error.code) ? error.code : fallbackCode;
    return failure(code, messageOf(error));
  }
}

async function toHostResponse(answer: TestFetchAnswer, url: string): Promise<HostFetchResponse> {
  if (typeof (answer as { text?: unknown }).text === "function") {
    const response = answer as Extract<TestFetchAnswer, { text(): Promise<string> }>;
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    return { status: response.status, statusText: response.statusText, headers, body: await response.text(), url: response.url || url };
  }
  const plain = answer as Exclude<TestFetchAnswer, { text(): Promise<string> }>;
  const isText = typeof plain.body === "string" || plain.body === undefined;
  const headers = { ...(isText ? {} : { "content-type": "application/json" }), ...plain.headers };
  const status = plain.status ?? 200;
  return {
    status,
    statusText: plain.statusText ?? (status === 200 ? "OK" : ""),
    headers,
    body: isText ? ((plain.body as string | undefined) ?? "") : JSON.stringify(plain.body),
    url: plain.url ?? url,
  };
}
