import { SluiceError } from "@sluice/sdk";

interface ChatTask {
  userId: string;
  chatId: string | null;
  taskId: string;
  controller: AbortController;
}

/** Abort reasons of stops asked for through {@link ChatTasks.stop} (as opposed to a client going away). */
const stopReasons = new WeakSet<object>();

/** Abort reasons of answers cut through {@link ChatTasks.interruptAll} (this instance is stopping). */
const interruptReasons = new WeakSet<object>();

function isAbortedFor(signal: AbortSignal, reasons: WeakSet<object>): boolean {
  return signal.aborted && typeof signal.reason === "object" && signal.reason !== null && reasons.has(signal.reason);
}

/** Whether a signal was aborted because its user asked to stop the answer. */
export function isStopRequested(signal: AbortSignal): boolean {
  return isAbortedFor(signal, stopReasons);
}

/** Whether a signal was aborted because the server is stopping: the answer ends with the reason as its error, for its client too. */
export function isInterrupted(signal: AbortSignal): boolean {
  return isAbortedFor(signal, interruptReasons);
}

/**
 * The chat answers this server instance is generating (Open WebUI's tasks): a page that opens a
 * chat asks whether it is still answering, and a Stop from any tab ends it. The task id is the
 * answer's message id when the request names one. In memory: with several instances, each
 * knows only the answers it generates.
 */
export class ChatTasks {
  readonly #tasks = new Set<ChatTask>();

  /** Registers a running answer; call the returned function when it ends. */
  start(task: ChatTask): () => void {
    this.#tasks.add(task);
    return () => this.#tasks.delete(task);
  }

  /** The ids of the user's answers in progress in that chat, oldest first. */
  forChat(userId: string, chatId: string): string[] {
    return [...this.#tasks].filter((task) => task.userId === userId && task.chatId === chatId).map((task) => task.taskId);
  }

  /**
   * Stops the user's answers with that task id; false when there is none (finished, or not
   * theirs). Each stays listed until its request has saved what came and ended.
   */
  stop(userId: string, taskId: string): boolean {
    const matching = [...this.#tasks].filter((task) => task.userId === userId && task.taskId === taskId);
    for (const task of matching) {
      if (task.controller.signal.aborted) continue;
      const reason = new SluiceError("CLIENT_CLOSED_REQUEST", "The answer was stopped");
      stopReasons.add(reason);
      task.controller.abort(reason);
    }
    return matching.length > 0;
  }

  /**
   * Ends every answer of this instance with `reason` as its error, for the end of a graceful
   * stop's drain: each saves what came with that error and tells its client, as any failed
   * answer does. Returns at once: the answers end as their requests finish.
   */
  interruptAll(reason: SluiceError): void {
    interruptReasons.add(reason);
    for (const task of this.#tasks) if (!task.controller.signal.aborted) task.controller.abort(reason);
  }
}
