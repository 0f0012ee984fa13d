import type { StreamEvent } from "@sluice/sdk";
import { finishChunk, toStreamEvents, type ChunkBase } from "./completion-chunks.ts";
import type { ModelGateway, PluginSession } from "./ports.ts";
import type { CatalogModel } from "./resolve-model.ts";

/**
 * One model turn as OpenAI chunks: the upstream's stream, or a pipe's output turned into chunks
 * (see `toStreamEvents`). Aborting the signal stops the upstream request or the pipe.
 */
export async function* callModel(
  gateway: ModelGateway,
  plugins: PluginSession,
  model: CatalogModel,
  body: Record<string, unknown>,
  base: ChunkBase,
  signal: AbortSignal,
): AsyncGenerator<StreamEvent> {
  if (model.source.kind === "upstream") {
    const upstreamBody = { ...body, model: model.source.upstream.id, stream: true };
    for await (const chunk of gateway.streamChat(model.source.upstream, upstreamBody, signal)) {
      yield { ...chunk, id: base.id, model: base.model };
    }
    return;
  }
  const { record, subModel } = model.source;
  const metadata = subModel === undefined ? {} : { subModel };
  let hasFinished = false;
  for await (const output of plugins.streamPipe(record, body, { contextId: model.id, metadata, signal })) {
    for (const chunk of toStreamEvents(output, base)) {
      hasFinished ||= chunk.choices.some((choice) => Boolean(choice.finish_reason));
      yield chunk;
    }
  }
  // A pipe that yields text never says it is done; stream filters need a last chunk with a
  // finish reason to flush what they hold back (as an upstream's last chunk gives them).
  if (!hasFinished) yield finishChunk(base, "stop");
}
