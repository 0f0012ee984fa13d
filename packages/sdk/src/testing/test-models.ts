import type { ChatCompletion } from "../chat-body.ts";
import { SluiceError } from "../errors.ts";
import type { ModelRequest, ModelSummary } from "../plugin-models.ts";
import type { HostServeRequest } from "../runtime/types.ts";
import type { StreamEvent } from "../stream-event.ts";

/** What a test's model answers: a completion, a text, or chunks (as a list or as they come). */
export type TestModelAnswer = ChatCompletion | string | StreamEvent[] | AsyncIterable<StreamEvent>;

/**
 * `ctx.models` in a test: the models listed, how a call is answered, the task model.
 *
 * @example
 * const models: TestModels = { list: [{ id: "m", name: "M", owned_by: "openai", meta: {} }], complete: () => "Short summary." };
 */
export interface TestModels {
  list?: ModelSummary[];
  /** Answers `ctx.models.complete` (the harness turns the answer into chunks or a completion, as asked). */
  complete?: (request: ModelRequest, options: { filters: boolean }) => TestModelAnswer | Promise<TestModelAnswer>;
  /** `ctx.models.task`; `null` by default. */
  task?: string | null;
}

/** A `ctx.models.complete` call the harness answered. */
export interface TestModelCall {
  request: ModelRequest;
  options: { filters: boolean };
}

const chunk = (model: string, delta: Record<string, unknown>, finishReason: string | null): StreamEvent => ({
  id: "chatcmpl-test",
  object: "chat.completion.chunk",
  created: 0,
  model,
  choices: [{ index: 0, delta, finish_reason: finishReason }],
});

async function* chunksOf(answer: TestModelAnswer, model: string): AsyncGenerator<StreamEvent> {
  if (typeof answer === "string") {
    yield chunk(model, { role: "assistant", content: answer }, null);
    yield chunk(model, {}, "stop");
  } else if (Array.isArray(answer) || Symbol.asyncIterator in answer) {
    yield* answer as AsyncIterable<StreamEvent>;
  } else {
    const choice = (answer as ChatCompletion).choices[0];
    yield chunk(model, { role: "assistant", content: choice?.message.content ?? "" }, null);
    yield chunk(model, {}, choice?.finish_reason ?? "stop");
  }
}

async function completionOf(answer: TestModelAnswer, model: string): Promise<ChatCompletion> {
  if (typeof answer === "object" && !Array.isArray(answer) && !(Symbol.asyncIterator in answer)) return answer as ChatCompletion;
  let content = "";
  let finishReason: string | null = "stop";
  for await (const part of chunksOf(answer, model)) {
    const choice = part.choices[0];
    if (typeof choice?.delta.content === "string") content += choice.delta.content;
    if (choice?.finish_reason) finishReason = choice.finish_reason;
  }
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 0,
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finishReason }],
  };
}

/**
 * `ctx.models` for the test harness, answered by the test's {@link TestModels}; records each call.
 *
 * @example
 * const models = createTestModels({ complete: () => "Hi" });
 * await models.serve({ method: "models.complete", args: [{ model: "m", messages: [] }, { filters: true }] });
 */
export function createTestModels(options: TestModels = {}) {
  const calls: TestModelCall[] = [];
  const streams = new Map<string, AsyncIterator<StreamEvent>>();
  let lastStream = 0;
  return {
    calls,
    async serve(request: HostServeRequest): Promise<unknown> {
      const [first, second] = request.args as [unknown, unknown];
      switch (request.method) {
        case "models.list":
          return structuredClone(options.list ?? []);
        case "models.complete": {
          const modelRequest = first as ModelRequest;
          const callOptions = { filters: (second as { filters?: boolean } | undefined)?.filters ?? true };
          calls.push({ request: structuredClone(modelRequest), options: callOptions });
          if (!options.complete)
            throw new SluiceError("FORBIDDEN", `The test harness has no models (pass models.complete): "${modelRequest.model}"`);
          const answer = await options.complete(modelRequest, callOptions);
          if (modelRequest.stream !== true) return completionOf(answer, modelRequest.model);
          const id = `stream-${++lastStream}`;
          streams.set(id, chunksOf(answer, modelRequest.model)[Symbol.asyncIterator]());
          return { stream: id };
        }
        case "models.next": {
          const stream = streams.get(String(first));
          if (!stream) throw new SluiceError("NOT_FOUND", `ctx.models: no open answer stream "${String(first)}"`);
          const step = await stream.next();
          if (step.done) streams.delete(String(first));
          return step.done ? { done: true } : { done: false, chunk: step.value };
        }
        case "models.close":
          await streams.get(String(first))?.return?.();
          streams.delete(String(first));
          return true;
        default:
          throw new SluiceError("INVALID_INPUT", `The test harness has no host method "${request.method}"`);
      }
    },
  };
}
