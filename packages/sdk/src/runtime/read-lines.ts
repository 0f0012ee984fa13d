import { TextDecoder } from "./text-decoder.ts";

/**
 * The lines of a UTF-8 byte stream, decoded as the chunks arrive (a character or a line split
 * across chunks is joined). Lines end with LF, CRLF or CR; the ending is not part of the line. A
 * last line without an ending is yielded too. Stopping early stops the byte stream.
 *
 * @example
 * for await (const line of readLines(response.body)) console.log(line);
 */
export async function* readLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder();
  let pending = "";
  // A CR ended the previous chunk: an LF starting this one belongs to it.
  let isAfterCr = false;
  for await (const chunk of chunks) {
    let text = decoder.decode(chunk, { stream: true });
    if (isAfterCr && text.startsWith("\n")) text = text.slice(1);
    isAfterCr = false;
    let start = 0;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code !== 10 && code !== 13) continue;
      yield pending + text.slice(start, index);
      pending = "";
      if (code === 13) {
        if (index + 1 === text.length) isAfterCr = true;
        else if (text.charCodeAt(index + 1) === 10) index++;
      }
      start = index + 1;
    }
    pending += text.slice(start);
  }
  pending += decoder.decode();
  if (pending !== "") yield pending;
}
