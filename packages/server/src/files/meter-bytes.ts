import { createHash } from "node:crypto";
import { SluiceError } from "@sluice/sdk";

/** What {@link meterBytes} counted once its stream was read to the end. */
export interface Metered {
  size: number;
  /** sha256, hex. */
  hash: string;
}

/**
 * Passes `source` through, counting and hashing it, and throws PAYLOAD_TOO_LARGE as soon as
 * more than `maxBytes` went by: an upload is refused while it streams, never buffered whole.
 * `result()` is valid after the stream ended.
 *
 * @example
 * const metered = meterBytes(part.file, 100 * 1024 * 1024, "100 MB");
 * await storage.put(key, metered.stream);
 * const { size, hash } = metered.result();
 */
export function meterBytes(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  maxBytes: number,
  limitText: string,
): { stream: AsyncIterable<Uint8Array>; result(): Metered } {
  const hash = createHash("sha256");
  let size = 0;
  let digest: string | undefined;
  async function* stream(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge(limitText);
      hash.update(chunk);
      yield chunk;
    }
    digest = hash.digest("hex");
  }
  return {
    stream: stream(),
    result() {
      if (digest === undefined) throw new Error("meterBytes: the stream was not read to the end");
      return { size, hash: digest };
    },
  };
}

/** The error of a file over the size cap. */
export function tooLarge(limitText: string): SluiceError {
  return new SluiceError("PAYLOAD_TOO_LARGE", `The file is too large: at most ${limitText} (FILE_MAX_SIZE_MB)`);
}
