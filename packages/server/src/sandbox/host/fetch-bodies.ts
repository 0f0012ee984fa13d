import { SluiceError } from "@sluice/sdk";
import type { HostFetchAnswer } from "../invocation-handlers.ts";

interface OpenBody {
  invocationId: string;
  chunks: AsyncIterator<Uint8Array>;
  isReading: boolean;
  signal: AbortSignal;
  onAbort(): void;
}

/** Most bodies one call may hold open at once (each can hold a connection). */
export const MAX_OPEN_BODIES = 16;

/**
 * The response bodies of a plugin's `ctx.fetch` calls that it has not finished reading, by body
 * id. A body belongs to the call that fetched it: it is closed (its connection freed) when that
 * call ends or is aborted, when the plugin stops reading, or at its end.
 *
 * @example
 * const bodyId = bodies.open("inv-1", answer.body, controller.signal);
 * const chunk = await bodies.read("inv-1", bodyId); // a Uint8Array, or null at the end
 */
export class FetchBodies {
  readonly #bodies = new Map<string, OpenBody>();
  /** Open bodies per invocation id. */
  readonly #counts = new Map<string, number>();
  #lastId = 0;

  /** Registers a body; `signal` aborts when its call ends. */
  open(invocationId: string, body: HostFetchAnswer["body"], signal: AbortSignal): string {
    const chunks = toChunks(body)[Symbol.asyncIterator]();
    const count = this.#counts.get(invocationId) ?? 0;
    if (count >= MAX_OPEN_BODIES) {
      void chunks.return?.()?.catch(() => {});
      throw new SluiceError(
        "PLUGIN_ERROR",
        `ctx.fetch: a call may hold at most ${MAX_OPEN_BODIES} unread responses at once; read them (or leave their loops) first`,
      );
    }
    this.#counts.set(invocationId, count + 1);
    const bodyId = `b${++this.#lastId}`;
    const entry: OpenBody = { invocationId, chunks, isReading: false, signal, onAbort: () => this.#close(bodyId) };
    this.#bodies.set(bodyId, entry);
    if (signal.aborted) this.#close(bodyId);
    else signal.addEventListener("abort", entry.onAbort, { once: true });
    return bodyId;
  }

  /** The next chunk, copied into a Uint8Array of its own (never a view of a shared pool), or null at the end. */
  async read(invocationId: string, bodyId: string): Promise<Uint8Array | null> {
    const entry = this.#bodies.get(String(bodyId));
    if (!entry || entry.invocationId !== invocationId) {
      throw new SluiceError(
        "PLUGIN_ERROR",
        "ctx.fetch: this response body is closed (a body can be read only during the call that fetched it)",
      );
    }
    if (entry.isReading) throw new SluiceError("PLUGIN_ERROR", "ctx.fetch: this response body is being read already");
    entry.isReading = true;
    try {
      const next = await entry.chunks.next();
      if (next.done) {
        this.#close(bodyId);
        return null;
      }
      return new Uint8Array(next.value);
    } catch (error) {
      this.#close(bodyId);
      throw error;
    } finally {
      entry.isReading = false;
    }
  }

  /** The plugin stops reading: frees the connection. Unknown ids are ignored. */
  close(invocationId: string, bodyId: string): void {
    if (this.#bodies.get(String(bodyId))?.invocationId === invocationId) this.#close(String(bodyId));
  }

  #close(bodyId: string): void {
    const entry = this.#bodies.get(bodyId);
    if (!entry) return;
    this.#bodies.delete(bodyId);
    const count = (this.#counts.get(entry.invocationId) ?? 1) - 1;
    if (count > 0) this.#counts.set(entry.invocationId, count);
    else this.#counts.delete(entry.invocationId);
    entry.signal.removeEventListener("abort", entry.onAbort);
    void Promise.resolve()
      .then(() => entry.chunks.return?.())
      .catch(() => {});
  }
}

function toChunks(body: HostFetchAnswer["body"]): AsyncIterable<Uint8Array> {
  if (typeof body === "object" && body !== null && Symbol.asyncIterator in body) return body;
  const bytes = typeof body === "string" ? Buffer.from(body) : (body ?? new Uint8Array(0));
  return (async function* () {
    if (bytes.byteLength > 0) yield bytes;
  })();
}
