import { constants } from "node:zlib";
import fastifyCompress from "@fastify/compress";
import type { FastifyInstance } from "fastify";

/** Smaller than this goes as it is: compressing would save little and cost a round of CPU. */
const THRESHOLD_BYTES = 1024;

/**
 * Compresses every answer worth it (JSON, the web UI's page, scripts and styles) for clients that
 * accept it (brotli, else gzip), registered once for the whole app (app.ts). Brotli at quality 5
 * (not the library's 11), so the first request for a large script does not wait seconds; hashed
 * assets are then cached by the browser for a year. Server-sent events (a streamed chat answer)
 * are never compressed: a compressor would hold chunks back.
 */
export function registerCompression(app: FastifyInstance): void {
  app.register(fastifyCompress, {
    global: true,
    threshold: THRESHOLD_BYTES,
    encodings: ["br", "gzip"],
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } },
    // Server-sent events are never buffered by a compressor, whoever sends them.
    customTypes: (contentType: string) =>
      !contentType.startsWith("text/event-stream") &&
      /^(text\/|application\/(json|javascript|manifest\+json)|image\/svg\+xml)/.test(contentType),
  });
}
