import { afterEach, describe, expect, it, vi } from "vitest";
import { ChatAdmission, type Admission } from "./chat-admission.ts";

const noSignal = () => new AbortController().signal;

function released(admission: Admission): () => void {
  if (!admission.isAdmitted) throw new Error(`not admitted: ${admission.reason}`);
  return admission.release;
}

/** Settles `promise` into a holder, so a test can see whether it settled yet. */
function track<T>(promise: Promise<T>): { value?: T } {
  const holder: { value?: T } = {};
  void promise.then((value) => (holder.value = value));
  return holder;
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("ChatAdmission", () => {
  afterEach(() => vi.useRealTimers());

  it("admits up to the limit at once, then queues, then refuses past the queue", async () => {
    const admission = new ChatAdmission({ maxRunning: 2, maxWaiting: 1, maxWaitMs: 60_000 });
    expect((await admission.admit(noSignal())).isAdmitted).toBe(true);
    expect((await admission.admit(noSignal())).isAdmitted).toBe(true);
    const third = track(admission.admit(noSignal()));
    await settled();
    expect(third.value).toBeUndefined();
    expect(admission.waiting).toBe(1);
    const fourth = await admission.admit(noSignal());
    expect(fourth).toMatchObject({ isAdmitted: false, reason: "busy" });
    expect(admission.running).toBe(2);
  });

  it("gives freed slots to the waiting requests in arrival order", async () => {
    const admission = new ChatAdmission({ maxRunning: 1, maxWaiting: 3, maxWaitMs: 60_000 });
    const first = released(await admission.admit(noSignal()));
    const order: string[] = [];
    const waiting = ["a", "b", "c"].map((name) =>
      admission.admit(noSignal()).then((slot) => {
        order.push(name);
        return released(slot);
      }),
    );
    first();
    (await waiting[0]!)();
    (await waiting[1]!)();
    (await waiting[2]!)();
    expect(order).toEqual(["a", "b", "c"]);
    expect(admission.running).toBe(0);
  });

  it("forgets a waiting request whose signal aborts, freeing its place", async () => {
    const admission = new ChatAdmission({ maxRunning: 1, maxWaiting: 1, maxWaitMs: 60_000 });
    const first = released(await admission.admit(noSignal()));
    const client = new AbortController();
    const leaver = admission.admit(client.signal);
    client.abort();
    expect(await leaver).toEqual({ isAdmitted: false, reason: "cancelled" });
    expect(admission.waiting).toBe(0);
    const next = admission.admit(noSignal());
    first();
    expect((await next).isAdmitted).toBe(true);
  });

  it("refuses a request that waited too long", async () => {
    vi.useFakeTimers();
    const admission = new ChatAdmission({ maxRunning: 1, maxWaiting: 1, maxWaitMs: 30_000 });
    await admission.admit(noSignal());
    const waiter = admission.admit(noSignal());
    vi.advanceTimersByTime(30_000);
    expect(await waiter).toMatchObject({ isAdmitted: false, reason: "timed-out" });
    expect(admission.waiting).toBe(0);
  });

  it("counts a slot released twice once", async () => {
    const admission = new ChatAdmission({ maxRunning: 2, maxWaiting: 0, maxWaitMs: 1000 });
    const release = released(await admission.admit(noSignal()));
    await admission.admit(noSignal());
    release();
    release();
    expect(admission.running).toBe(1);
  });

  it("refuses the waiting requests and every later one once stopping", async () => {
    const admission = new ChatAdmission({ maxRunning: 1, maxWaiting: 1, maxWaitMs: 60_000 });
    const running = released(await admission.admit(noSignal()));
    const waiter = admission.admit(noSignal());
    admission.stop();
    expect(await waiter).toMatchObject({ isAdmitted: false, reason: "stopping" });
    running();
    expect(await admission.admit(noSignal())).toMatchObject({ isAdmitted: false, reason: "stopping" });
  });

  it("has no limit at 0", async () => {
    const admission = new ChatAdmission({ maxRunning: 0, maxWaiting: 0, maxWaitMs: 1000 });
    const slots = await Promise.all(Array.from({ length: 50 }, () => admission.admit(noSignal())));
    expect(slots.every((slot) => slot.isAdmitted)).toBe(true);
  });

  it("asks to retry after about the time the queue takes to clear, between 1 and 60 s", async () => {
    let now = 0;
    const admission = new ChatAdmission({ maxRunning: 1, maxWaiting: 0, maxWaitMs: 1000, now: () => now });
    // Turns of 20 s pull the running average (guessed 10 s at first) up.
    for (let turn = 0; turn < 50; turn += 1) {
      const release = released(await admission.admit(noSignal()));
      now += 20_000;
      release();
    }
    await admission.admit(noSignal());
    const refusal = await admission.admit(noSignal());
    expect(refusal).toMatchObject({ isAdmitted: false, reason: "busy" });
    const seconds = (refusal as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(seconds).toBeGreaterThan(15);
    expect(seconds).toBeLessThanOrEqual(20);

    const busy = new ChatAdmission({ maxRunning: 1, maxWaiting: 0, maxWaitMs: 1000, now: () => now });
    const release = released(await busy.admit(noSignal()));
    now += 3_600_000;
    release();
    await busy.admit(noSignal());
    expect(await busy.admit(noSignal())).toMatchObject({ retryAfterSeconds: 60 });
  });
});
