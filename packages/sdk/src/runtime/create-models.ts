import type { ChatCompletion } from "../chat-body.ts";
import { SluiceError } from "../errors.ts";
import type { CompleteOptions, ModelRequest, ModelStream, ModelSummary, PluginModels } from "../plugin-models.ts";
import type { StreamEvent } from "../stream-event.ts";
import { assertJsonValue } from "./assert-json-value.ts";
import type { HostServe } from "./create-serve.ts";
import { describeValue, isPlainObject } from "./describe-value.ts";

/**
 * `ctx.models` over the host's service channel (methods `models.*`). A streamed answer is pulled
 * chunk by chunk (`models.next`), so a slow reader slows the model down instead of piling chunks
 * up; leaving the loop early closes it (`models.close`). The host checks the request and access.
 *
 * @example
 * const models = createModels(createServe(host, invocationId), "gpt-4o-mini");
 * const reply = await models.complete({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
 */
export function createModels(serve: HostServe, taskModel: string | null): PluginModels {
  async function complete(request: ModelRequest, options: CompleteOptions = {}): Promise<ChatCompletion | ModelStream> {
    if (!isPlainObject(request)) {
      throw new SluiceError("INVALID_INPUT", `ctx.models.complete expects an OpenAI chat request object, got ${describeValue(request)}`);
    }
    assertJsonValue(request, "ctx.models.complete", "request");
    const answer = await serve("models.complete", request, { filters: options?.filters ?? true });
    if (request.stream !== true) return answer as ChatCompletion;
    return streamOf(serve, (answer as { stream: string }).stream);
  }
  return Object.freeze({
    list: async () => (await serve("models.list")) as ModelSummary[],
    complete: complete as PluginModels["complete"],
    task: taskModel,
  });
}

function streamOf(serve: HostServe, id: string): ModelStream {
  let isDone = false;
  const close = async () => {
    if (isDone) return;
    isDone = true;
    await serve("models.close", id);
  };
  return {
    [Symbol.asyncIterator]: () => ({
      async next(): Promise<IteratorResult<StreamEvent>> {
        if (isDone) return { done: true, value: undefined };
        let step: { done: boolean; chunk?: StreamEvent };
        try {
          step = (await serve("models.next", id)) as { done: boolean; chunk?: StreamEvent };
        } catch (error) {
          isDone = true; // the host closed it with the error
          throw error;
        }
        if (step.done) {
          isDone = true;
          return { done: true, value: undefined };
        }
        return { done: false, value: step.chunk! };
      },
      async return(): Promise<IteratorResult<StreamEvent>> {
        await close();
        return { done: true, value: undefined };
      },
    }),
  };
}
