import { MessageChannel } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { answeredWithin } from "./answered-within.ts";

describe("answeredWithin", () => {
  it("counts an answer that arrived while the server's event loop stood still, unread until it turned", async () => {
    // An answer that comes as I/O (as a sandbox's does), sent right away and read only after the block.
    const { port1, port2 } = new MessageChannel();
    const answer = new Promise((resolve) => port1.once("message", resolve));
    const asked = answeredWithin(answer, 20);
    port2.postMessage("pong");
    const until = performance.now() + 100;
    while (performance.now() < until) {
      // The server's thread is busy for five times the wait.
    }
    expect(await asked).toBe(true);
    port1.close();
  });

  it("a question nobody answers is unanswered; a failure is an answer", async () => {
    expect(await answeredWithin(new Promise(() => {}), 10)).toBe(false);
    expect(await answeredWithin(Promise.reject(new Error("gone")), 10)).toBe(true);
  });
});
