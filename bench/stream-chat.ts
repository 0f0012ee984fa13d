// A streaming chat client over node:http that records when each content chunk arrives.

import http from "node:http";

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface StreamedChat {
  /** Epoch ms when the request was sent. */
  startedAt: number;
  /** Epoch ms of the first chunk with non-empty content (the first token). */
  firstTokenAt: number | null;
  /** Per content chunk: its text and the epoch ms it arrived. */
  chunks: Array<{ content: string; arrivedAt: number }>;
  /** Saw `data: [DONE]`. */
  isDone: boolean;
  /** Why the chat failed (HTTP status, an error frame, a cut stream, the deadline), or null. */
  error: string | null;
}

export interface StreamChatOptions {
  agent: http.Agent;
  token?: string;
  /** The chat is aborted and counted as failed after this long. */
  deadlineMs: number;
}

/**
 * POSTs an OpenAI chat request with `stream: true` to `url` and reads its SSE answer to the end.
 * Never rejects: failures are in `error`.
 */
export function streamChat(url: string, body: Record<string, unknown>, options: StreamChatOptions): Promise<StreamedChat> {
  const payload = JSON.stringify({ ...body, stream: true });
  const result: StreamedChat = { startedAt: epochNow(), firstTokenAt: null, chunks: [], isDone: false, error: null };
  return new Promise((resolve) => {
    let isSettled = false;
    const settle = (error: string | null) => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(deadline);
      result.error = error ?? result.error ?? (result.isDone ? null : "the stream ended without [DONE]");
      resolve(result);
    };
    const headers: Record<string, string | number> = { "content-type": "application/json", "content-length": Buffer.byteLength(payload) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const request = http.request(url, { method: "POST", agent: options.agent, headers }, (response) => {
      if (response.statusCode !== 200) {
        let text = "";
        response.setEncoding("utf8").on("data", (piece: string) => (text += piece));
        response.on("end", () => settle(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`));
        return;
      }
      let buffered = "";
      response.setEncoding("utf8");
      response.on("data", (piece: string) => {
        const arrivedAt = epochNow();
        buffered += piece;
        let end: number;
        while ((end = buffered.indexOf("\n\n")) !== -1) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          readFrame(frame, arrivedAt);
        }
      });
      response.on("end", () => settle(null));
      response.on("error", (error) => settle(`response: ${error.message}`));
    });
    const readFrame = (frame: string, arrivedAt: number) => {
      for (const line of frame.split("\n")) {
        if (!line.startsWith("data:")) continue;
        const data = line.slice(5).trim();
        if (data === "[DONE]") {
          result.isDone = true;
          continue;
        }
        let event: { error?: { message?: string; detail?: string }; choices?: Array<{ delta?: { content?: unknown } }> };
        try {
          event = JSON.parse(data);
        } catch {
          result.error ??= `unparsable frame: ${data.slice(0, 100)}`;
          continue;
        }
        if (event.error) {
          result.error ??= `error frame: ${event.error.message ?? event.error.detail ?? JSON.stringify(event.error)}`;
          continue;
        }
        const content = event.choices?.[0]?.delta?.content;
        if (typeof content !== "string" || content === "") continue;
        result.firstTokenAt ??= arrivedAt;
        result.chunks.push({ content, arrivedAt });
      }
    };
    const deadline = setTimeout(() => {
      request.destroy();
      settle(`no end within ${options.deadlineMs} ms`);
    }, options.deadlineMs);
    request.on("error", (error) => settle(`request: ${error.message}`));
    request.end(payload);
  });
}
