import type { StreamEvent } from "@sluice/sdk";
import type { AppServices } from "../services.ts";
import { finishChunk, toStreamEvents, type ChunkBase } from "../core/completion-chunks.ts";
import type { CatalogModel } from "./model-catalog.ts";
import type { PluginCaller } from "./plugin-caller.ts";

/**
 * One model turn as OpenAI chunks: the upstream's stream, or a pipe's output turned into chunks
 * (reference §7.3). Aborting the signal stops the upstream request or the pipe.
 */
export async function* callModel(
  services: AppServices,
  caller: PluginCaller,
  model: CatalogModel,
  body: Record<string, unknown>,
  base: ChunkBase,
  signal: AbortSignal,
): AsyncGenerator<StreamEvent> {
  if (model.source.kind === "upstream") {
    const upstreamBody = { ...body, model: model.source.upstream.id, stream: true };
    for await (const chunk of services.upstream.streamChat(model.source.upstream, upstreamBody, signal)) {
      yield { ...chunk, id: base.id, model: base.model };
    }
    return;
  }
  const { record, subModel } = model.source;
  const metadata = subModel === undefined ? {} : { subModel };
  const loaded = await caller.plugin("function", record);
  const outputs = loaded.sandbox.streamPipe(
    { hook: "pipe", payload: body, context: caller.context("function", record, model.id, metadata) },
    caller.handlers(record, "pipe"),
    { signal },
  );
  let hasFinished = false;
  for await (const output of outputs) {
    for (const chunk of toStreamEvents(output.value, base)) {
      hasFinished ||= chunk.choices.some((choice) => Boolean(choice.finish_reason));
      yield chunk;
    }
  }
  // A pipe that yields text never says it is done; stream filters need a last chunk with a
  // finish reason to flush what they hold back (as an upstream's last chunk gives them).
  if (!hasFinished) yield finishChunk(base, "stop");
}
