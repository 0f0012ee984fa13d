import { SluiceError } from "@sluice/sdk";

/** A response body as text, refusing one longer than `maxBytes` before it fills memory. */
export async function readLimitedText(response: Response, maxBytes: number, host: string): Promise<string> {
  if (!response.body) return "";
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for await (const piece of response.body) {
    bytes += piece.byteLength;
    if (bytes > maxBytes) {
      // Only frees the connection; the error that matters is thrown next.
      await response.body.cancel().catch(() => {});
      throw new SluiceError("UPSTREAM_ERROR", `${host} answered with more than ${maxBytes} bytes`);
    }
    text += decoder.decode(piece, { stream: true });
  }
  return text + decoder.decode();
}
