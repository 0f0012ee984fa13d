import { describe, expect, it } from "vitest";
import { SluiceError } from "@sluice/sdk";
import { ChatTasks, isInterrupted, isStopRequested } from "./chat-tasks.ts";

function task(userId: string, chatId: string | null, taskId: string) {
  return { userId, chatId, taskId, controller: new AbortController() };
}

describe("ChatTasks", () => {
  it("lists the user's answers in progress in a chat, oldest first, until each ends", () => {
    const tasks = new ChatTasks();
    const end = tasks.start(task("ada", "c1", "a1"));
    tasks.start(task("ada", "c1", "a2"));
    tasks.start(task("ada", "c2", "b1"));
    tasks.start(task("bob", "c1", "x1"));
    expect(tasks.forChat("ada", "c1")).toEqual(["a1", "a2"]);
    end();
    expect(tasks.forChat("ada", "c1")).toEqual(["a2"]);
    expect(tasks.forChat("bob", "c2")).toEqual([]);
  });

  it("stops only the user's own answer, and marks it as a stop they asked for", () => {
    const tasks = new ChatTasks();
    const ada = task("ada", "c1", "a1");
    const bob = task("bob", "c1", "a1");
    tasks.start(ada);
    tasks.start(bob);
    expect(tasks.stop("ada", "a1")).toBe(true);
    expect(isStopRequested(ada.controller.signal)).toBe(true);
    expect(isInterrupted(ada.controller.signal)).toBe(false);
    expect(bob.controller.signal.aborted).toBe(false);
    expect(tasks.stop("ada", "unknown")).toBe(false);
    expect(tasks.stop("carol", "a1")).toBe(false);
  });

  it("keeps a stopped answer listed until its request ends", () => {
    const tasks = new ChatTasks();
    const end = tasks.start(task("ada", "c1", "a1"));
    tasks.stop("ada", "a1");
    expect(tasks.forChat("ada", "c1")).toEqual(["a1"]);
    end();
    expect(tasks.forChat("ada", "c1")).toEqual([]);
  });

  it("tells a client that went away apart from a stop", () => {
    const controller = new AbortController();
    controller.abort(new SluiceError("CLIENT_CLOSED_REQUEST", "The client went away"));
    expect(isStopRequested(controller.signal)).toBe(false);
    expect(isInterrupted(controller.signal)).toBe(false);
    expect(isStopRequested(new AbortController().signal)).toBe(false);
  });

  it("interrupts every answer with the server's reason, which is not a stop", () => {
    const tasks = new ChatTasks();
    const first = task("ada", "c1", "a1");
    const second = task("bob", null, "b1");
    tasks.start(first);
    tasks.start(second);
    const reason = new SluiceError("UNAVAILABLE", "The server is restarting");
    tasks.interruptAll(reason);
    for (const { controller } of [first, second]) {
      expect(controller.signal.reason).toBe(reason);
      expect(isInterrupted(controller.signal)).toBe(true);
      expect(isStopRequested(controller.signal)).toBe(false);
    }
  });

  it("leaves an answer the user already stopped with its stop when the server stops", () => {
    const tasks = new ChatTasks();
    const stopped = task("ada", "c1", "a1");
    tasks.start(stopped);
    tasks.stop("ada", "a1");
    tasks.interruptAll(new SluiceError("UNAVAILABLE", "The server is restarting"));
    expect(isStopRequested(stopped.controller.signal)).toBe(true);
    expect(isInterrupted(stopped.controller.signal)).toBe(false);
  });
});
