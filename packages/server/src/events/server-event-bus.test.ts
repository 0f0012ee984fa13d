import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { ServerEvent } from "@sluice/sdk";
import { ServerEventBus, type EventListener } from "./server-event-bus.ts";

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** A listener that records events and can be held on one of them until `release()`. */
function listener(id: string, patterns: string[], options: { holdOn?: string; failOn?: string } = {}) {
  const seen: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const isHeld = new Promise<void>((resolve) => (reached = resolve));
  let settle!: () => void;
  const idle = new Promise<void>((resolve) => (settle = resolve));
  const entry: EventListener = {
    id,
    patterns,
    async deliver(event: ServerEvent) {
      seen.push(event.subject.id);
      if (event.subject.id === options.holdOn) {
        reached();
        await held;
      }
      if (event.subject.id === options.failOn) throw new Error(`cannot take ${event.subject.id}`);
      if (event.subject.id === "last") settle();
    },
  };
  return { entry, seen, release, isHeld, idle };
}

const raiseChat = (bus: ServerEventBus, id: string) =>
  bus.raise("chat.created", { subject: { type: "chat", id }, actor: null, data: { title: id } });

describe("ServerEventBus", () => {
  it("returns at once, delivers in order to the listeners whose patterns match, and a stuck or failing one holds up only itself", async () => {
    const { logger, lines } = capturingLogger();
    const slow = listener("slow", ["chat.*"], { holdOn: "a" });
    const failing = listener("failing", ["*"], { failOn: "a" });
    const other = listener("other", ["function.*"]);
    const bus = new ServerEventBus({ logger, maxQueued: 10, listeners: async () => [slow.entry, failing.entry, other.entry] });
    raiseChat(bus, "a");
    raiseChat(bus, "b");
    raiseChat(bus, "last");
    // Nothing is delivered while the raising code runs.
    expect([slow.seen, failing.seen]).toEqual([[], []]);
    await slow.isHeld;
    await failing.idle;
    expect(failing.seen).toEqual(["a", "b", "last"]);
    expect(slow.seen).toEqual(["a"]);
    expect(other.seen).toEqual([]);
    expect(lines.find((line) => line.pluginId === "failing")).toMatchObject({
      event: "chat.created",
      msg: "event plugin failed on a server event",
    });
    slow.release();
    await slow.idle;
    expect(slow.seen).toEqual(["a", "b", "last"]);
  });

  it("drops events past its bound (waiting, or queued for one listener) with a log line each", async () => {
    const { logger, lines } = capturingLogger();
    const slow = listener("slow", ["*"], { holdOn: "0" });
    let handedOut = 0;
    const bus = new ServerEventBus({
      logger,
      maxQueued: 2,
      listeners: async () => {
        handedOut += 1;
        return [slow.entry];
      },
    });
    const until = (condition: () => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => (condition() ? resolve() : setImmediate(check));
        check();
      });
    raiseChat(bus, "0");
    await slow.isHeld;
    // The first two wait to be handed out, the next two find the queue full.
    for (const id of ["1", "2", "3", "4"]) raiseChat(bus, id);
    expect(lines.filter((line) => line.msg === "server event dropped: the event queue is full")).toHaveLength(2);
    // Handed out to a listener still held on the first: its queue takes two, and the next is dropped.
    await until(() => handedOut === 3);
    raiseChat(bus, "5");
    raiseChat(bus, "6");
    await until(() => lines.some((line) => line.msg === "server event dropped: the event plugin's queue is full"));
    slow.release();
    await until(() => slow.seen.length === 3);
    expect(slow.seen).toEqual(["0", "1", "2"]);
    expect(lines.find((line) => line.msg === "server event dropped: the event plugin's queue is full")).toMatchObject({ pluginId: "slow" });
    bus.close();
  });

  it("drops events raised once closed, and events queued when it closes", async () => {
    const { logger } = capturingLogger();
    const seen = listener("seen", ["*"]);
    const bus = new ServerEventBus({ logger, maxQueued: 10, listeners: async () => [seen.entry] });
    raiseChat(bus, "queued");
    bus.close();
    raiseChat(bus, "late");
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.seen).toEqual([]);
  });
});
