import { describe, expect, it } from "vitest";
import { FetchBodies, MAX_OPEN_BODIES } from "./fetch-bodies.ts";

/** A body that records whether it was closed. */
function trackedBody(pieces: string[]) {
  const state = { isClosed: false };
  const body = (async function* () {
    try {
      for (const piece of pieces) yield Buffer.from(piece);
    } finally {
      state.isClosed = true;
    }
  })();
  return { body, state };
}

describe("FetchBodies", () => {
  it("hands out each chunk as a Uint8Array of its own, then null, and only to the call that fetched it", async () => {
    const bodies = new FetchBodies();
    const bodyId = bodies.open("call-1", "hello", new AbortController().signal);
    await expect(bodies.read("call-2", bodyId)).rejects.toMatchObject({ code: "PLUGIN_ERROR", message: expect.stringContaining("closed") });
    const chunk = await bodies.read("call-1", bodyId);
    expect(chunk?.constructor).toBe(Uint8Array);
    expect(chunk!.buffer.byteLength).toBe(5);
    expect(Buffer.from(chunk!).toString()).toBe("hello");
    expect(await bodies.read("call-1", bodyId)).toBeNull();
    await expect(bodies.read("call-1", bodyId)).rejects.toMatchObject({ code: "PLUGIN_ERROR" });
  });

  it("closes a body when its call's signal aborts, or when the plugin stops reading", async () => {
    const bodies = new FetchBodies();
    const controller = new AbortController();
    const first = trackedBody(["a", "b"]);
    const firstId = bodies.open("call-1", first.body, controller.signal);
    await bodies.read("call-1", firstId);
    controller.abort();
    await expect.poll(() => first.state.isClosed).toBe(true);
    await expect(bodies.read("call-1", firstId)).rejects.toMatchObject({ code: "PLUGIN_ERROR" });

    const second = trackedBody(["a", "b"]);
    const secondId = bodies.open("call-2", second.body, new AbortController().signal);
    await bodies.read("call-2", secondId);
    bodies.close("call-2", secondId);
    await expect.poll(() => second.state.isClosed).toBe(true);
  });

  it(`lets one call hold at most ${MAX_OPEN_BODIES} unread bodies, other calls theirs`, async () => {
    const bodies = new FetchBodies();
    const signal = new AbortController().signal;
    const ids = Array.from({ length: MAX_OPEN_BODIES }, () => bodies.open("busy", "x", signal));
    const refused = trackedBody(["x"]);
    expect(() => bodies.open("busy", refused.body, signal)).toThrow(`at most ${MAX_OPEN_BODIES} unread responses`);
    expect(bodies.open("other", "x", signal)).toEqual(expect.any(String));
    bodies.close("busy", ids[0]!);
    expect(bodies.open("busy", "x", signal)).toEqual(expect.any(String));
  });
});
