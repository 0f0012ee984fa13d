import { ERROR_CODES, SluiceError, type ErrorCode } from "../errors.ts";
import type { CustomSluiceEvent, SluiceEvent } from "../sluice-event.ts";
import type { HostFetchRequest, HostFetchResponse, HostResult, HostServeRequest, LogLevel, SluiceHost } from "../runtime/types.ts";
import { messageOf } from "../runtime/describe-value.ts";

/**
 * What a test's `fetch` option may answer: a plain description of the response (a string or
 * `Uint8Array` body is sent as it is, an async iterable of `Uint8Array` chunk by chunk, another
 * object as JSON) or a web `Response` (its body streamed as it arrives, so a test can answer with
 * `fetch(...)` to a real server).
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
      body: AsyncIterable<Uint8Array> | { getReader(): unknown } | null;
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
  const bodies = new Map<string, AsyncIterator<Uint8Array>>();
  let lastBodyId = 0;
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
      return settle(async () => {
        const { head, body } = await toHostResponse(await answer(request), request.url);
        const bodyId = String(++lastBodyId);
        bodies.set(bodyId, body[Symbol.asyncIterator]());
        return { ...head, bodyId };
      }, "UPSTREAM_ERROR");
    },
    async fetchRead(_invocationId, bodyId) {
      const body = bodies.get(bodyId);
      if (!body) return failure("PLUGIN_ERROR", "ctx.fetch: this response body was closed");
      return settle(async () => {
        const next = await body.next();
        if (!next.done) return new Uint8Array(next.value);
        bodies.delete(bodyId);
        return null;
      }, "UPSTREAM_ERROR");
    },
    fetchClose(_invocationId, bodyId) {
      const body = bodies.get(bodyId);
      bodies.delete(bodyId);
      void body?.return?.()?.catch(() => {});
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

type HostHead = Omit<HostFetchResponse, "bodyId">;

async function toHostResponse(answer: TestFetchAnswer, url: string): Promise<{ head: HostHead; body: AsyncIterable<Uint8Array> }> {
  if (typeof (answer as { text?: unknown }).text === "function") {
    const response = answer as Extract<TestFetchAnswer, { text(): Promise<string> }>;
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    const head = { status: response.status, statusText: response.statusText, headers, url: response.url || url };
    const body = response.body as AsyncIterable<Uint8Array> | null;
    if (body && typeof body[Symbol.asyncIterator] === "function") return { head, body };
    return { head, body: once(new TextEncoder().encode(await response.text())) };
  }
  const plain = answer as Exclude<TestFetchAnswer, { text(): Promise<string> }>;
  const body = plain.body;
  const isRaw = body === undefined || typeof body === "string" || body instanceof Uint8Array || isAsyncIterable(body);
  const headers = { ...(isRaw ? {} : { "content-type": "application/json" }), ...plain.headers };
  const status = plain.status ?? 200;
  const head = { status, statusText: plain.statusText ?? (status === 200 ? "OK" : ""), headers, url: plain.url ?? url };
  if (isAsyncIterable(body)) return { head, body };
  if (body instanceof Uint8Array) return { head, body: once(body) };
  return { head, body: once(new TextEncoder().encode(isRaw ? ((body as string | undefined) ?? "") : JSON.stringify(body))) };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === "object" && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  if (bytes.length > 0) yield bytes;
}
