function dataOf(line: string): string {
  return line.slice(line.startsWith("data: ") ? 6 : 5);
}

/**
 * The `data:` payloads of a server-sent-events body, one per event (multi-line data joined
 * with "\n"); comments and other fields are skipped. Works across arbitrary chunk boundaries.
 * Stopping early (`break`) cancels the body.
 *
 * @example
 * for await (const data of readServerSentEvents(response.body!)) console.log(data);
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let dataLines: string[] = [];
  let isFinished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (;;) {
        const newline = buffer.search(/\r\n|\r|\n/);
        // A lone "\r" at the end may be the first half of "\r\n": wait for the next piece.
        if (newline === -1 || (newline === buffer.length - 1 && buffer.endsWith("\r"))) break;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
        if (line === "") {
          if (dataLines.length > 0) yield dataLines.join("\n");
          dataLines = [];
        } else if (line.startsWith("data:")) {
          dataLines.push(dataOf(line));
        }
      }
    }
    buffer += decoder.decode();
    const rest = buffer.replace(/\r$/, "");
    if (rest.startsWith("data:")) dataLines.push(dataOf(rest));
    if (dataLines.length > 0) yield dataLines.join("\n");
    isFinished = true;
  } finally {
    if (isFinished) reader.releaseLock();
    else await reader.cancel().catch(() => {});
  }
}
