import { SluiceError } from "@sluice/sdk";

export interface ResponseBodyLimits {
  /** Largest body (after decompression), in bytes (`PLUGIN_FETCH_MAX_BYTES`). */
  maxBytes: number;
  /** Longest wait for the next chunk while the plugin waits for it (`PLUGIN_FETCH_IDLE_TIMEOUT_MS`). */
  idleTimeoutMs: number;
  /** The host the body comes from, for error messages. */
  host: string;
  /** True once the hook call ended or was aborted: a failed read then says so. */
  isStopped(): boolean;
  /** Frees the connection (called once: at the end, on an error, or when the plugin stops reading). */
  close(): void;
}

/**
 * A response body that the plugin pulls chunk by chunk, with the fetch limits applied: more than
 * `maxBytes` in all fails the read with `PAYLOAD_TOO_LARGE`, no chunk within `idleTimeoutMs` of
 * the plugin asking fails it with `UPSTREAM_ERROR`. Nothing is read ahead: the source is asked
 * for its next chunk only when the plugin asks (the socket then fills its buffer and stops, which
 * is backpressure on the upstream). Any failure, the end, or `return()` closes the connection.
 *
 * @example
 * const body = limitResponseBody(response, { maxBytes, idleTimeoutMs, host: "api.example.com", isStopped, close });
 * for await (const chunk of body) forward(chunk);
 */
export function limitResponseBody(source: AsyncIterable<Uint8Array>, limits: ResponseBodyLimits): AsyncIterableIterator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let total = 0;
  let isClosed = false;
  const close = (): void => {
    if (isClosed) return;
    isClosed = true;
    limits.close();
    void iterator.return?.()?.catch(() => {});
  };
  const fail = (error: unknown): SluiceError => {
    if (SluiceError.isInstance(error)) return error;
    if (limits.isStopped()) return new SluiceError("PLUGIN_ERROR", `ctx.fetch from ${limits.host} was stopped: the hook call has ended`);
    const code = (error as NodeJS.ErrnoException).code;
    return new SluiceError("UPSTREAM_ERROR", `ctx.fetch: the response from ${limits.host} broke off (${code ?? (error as Error).message})`);
  };
  const body: AsyncIterableIterator<Uint8Array> = {
    [Symbol.asyncIterator]: () => body,
    async next() {
      if (isClosed) return { done: true, value: undefined };
      let timer: NodeJS.Timeout | undefined;
      const pending = iterator.next();
      // Settled elsewhere if the idle limit wins the race; must not become an unhandled rejection.
      pending.catch(() => {});
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new SluiceError("UPSTREAM_ERROR", `ctx.fetch: ${limits.host} sent nothing for ${limits.idleTimeoutMs} ms`)),
          limits.idleTimeoutMs,
        );
      });
      try {
        const next = await Promise.race([pending, idle]);
        if (next.done) {
          close();
          return next;
        }
        total += next.value.byteLength;
        if (total > limits.maxBytes) {
          throw new SluiceError("PAYLOAD_TOO_LARGE", `ctx.fetch: the response from ${limits.host} is larger than ${limits.maxBytes} bytes`);
        }
        return next;
      } catch (error) {
        const failure = fail(error);
        close();
        throw failure;
      } finally {
        clearTimeout(timer);
      }
    },
    async return() {
      close();
      return { done: true, value: undefined };
    },
  };
  return body;
}
