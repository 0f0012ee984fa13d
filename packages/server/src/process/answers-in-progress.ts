import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { SluiceError } from "@sluice/sdk";
import { findChat, updateChatMessage } from "../db/chats-repository.ts";
import {
  type AnswerRecord,
  deleteAnswerRecords,
  findInstanceAnswerRecords,
  findStaleAnswerRecords,
  recordAnswerStart,
  refreshAnswerRecords,
} from "../db/answers-in-progress-repository.ts";
import type { Database } from "../db/schema.ts";

/** The error an interrupted answer is saved with. */
export const INTERRUPTED_ANSWER_ERROR = "The answer was interrupted: the server stopped while writing it.";

export interface AnswersInProgressOptions {
  db: Kysely<Database>;
  logger: Logger;
  /** This instance's name in the records; must differ from every other running instance's. */
  instanceId: string;
  /** How often this instance refreshes its records and looks for cut ones. */
  heartbeatMs: number;
  /** A record of another instance not refreshed for this long is an answer cut by that instance's end. */
  staleMs: number;
}

/**
 * Answers being written to stored chats, recorded in the database so that one cut by a crash or
 * a kill -9 does not stay "in progress" for ever: every instance refreshes its own records each
 * heartbeat, and marks the messages of records left without one (and, at start-up, those left
 * under its own id by an earlier life) done with {@link INTERRUPTED_ANSWER_ERROR}, keeping what
 * was saved. `ChatTasks` stays the in-memory list of what runs here.
 */
export class AnswersInProgress {
  readonly #options: AnswersInProgressOptions;
  /** Records whose delete failed (the database was unreachable): tried again each heartbeat. */
  readonly #undeleted = new Set<string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #tick: Promise<void> | undefined;

  constructor(options: AnswersInProgressOptions) {
    this.#options = options;
  }

  /**
   * Records an answer that starts; call the returned function when it ends, however it ends.
   * Never throws: without a record the answer still runs, only a crash would leave it unmarked.
   */
  async begin(answer: { chatId: string; messageId: string; userId: string }): Promise<() => Promise<void>> {
    const { db, logger, instanceId } = this.#options;
    let id: string;
    try {
      id = await recordAnswerStart(db, { ...answer, instanceId });
    } catch (error) {
      logger.warn({ err: error, chatId: answer.chatId }, "cannot record the answer in progress; a crash would leave it unmarked");
      return async () => {};
    }
    return async () => {
      try {
        await deleteAnswerRecords(db, [id]);
      } catch {
        this.#undeleted.add(id);
      }
    };
  }

  /**
   * At start-up: marks the answers an earlier life of this instance id left (none of them can be
   * running now) and the stale ones of other instances, then keeps refreshing and looking.
   */
  async start(): Promise<void> {
    const { db, instanceId, staleMs } = this.#options;
    await this.#guard("marking interrupted answers at start-up", async () => {
      const own = await findInstanceAnswerRecords(db, instanceId);
      await this.#interrupt([...own, ...(await findStaleAnswerRecords(db, { staleMs, exceptInstanceId: instanceId }))]);
    });
    this.#timer = setInterval(() => void this.#beat(), this.#options.heartbeatMs);
    this.#timer.unref();
  }

  /**
   * Marks the answers this instance still writes as interrupted and stops the heartbeat: for the
   * end of a graceful stop, when the drain is over. An answer that still finishes before the
   * process exits saves itself over the mark.
   */
  async interruptOwn(): Promise<void> {
    this.stop();
    await this.#tick;
    await this.#guard("marking this instance's unfinished answers", async () =>
      this.#interrupt(await findInstanceAnswerRecords(this.#options.db, this.#options.instanceId)),
    );
  }

  /** Stops the heartbeat (the records stay; another instance marks them once stale). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #beat(): void {
    // A slow database must not pile up heartbeats.
    if (this.#tick) return;
    this.#tick = this.#guard("refreshing the answers in progress", async () => {
      const { db, instanceId, staleMs } = this.#options;
      if (this.#undeleted.size > 0) {
        const ids = [...this.#undeleted];
        await deleteAnswerRecords(db, ids);
        for (const id of ids) this.#undeleted.delete(id);
      }
      await refreshAnswerRecords(db, instanceId);
      await this.#interrupt(await findStaleAnswerRecords(db, { staleMs, exceptInstanceId: instanceId }));
    }).finally(() => (this.#tick = undefined));
  }

  /**
   * Marks each record's message, then deletes the record. Several instances may do this at once:
   * a message is marked only while it is not done, under the chat's lock, so a mark never hides
   * a finished answer and a second mark changes nothing.
   */
  async #interrupt(records: readonly AnswerRecord[]): Promise<void> {
    const { db, logger } = this.#options;
    for (const record of records) {
      try {
        // The record names the chat the request named; only its owner's chat is touched.
        if (await findChat(db, record.user_id, record.chat_id)) {
          const marked = await updateChatMessage(db, record.chat_id, record.message_id, (message) =>
            message && message.done !== true ? { ...message, done: true, error: { content: INTERRUPTED_ANSWER_ERROR } } : undefined,
          );
          if (marked)
            logger.info(
              { chatId: record.chat_id, messageId: record.message_id, instance: record.instance_id },
              "marked an interrupted answer",
            );
        }
      } catch (error) {
        if (!SluiceError.isInstance(error)) throw error;
        // A malformed chat cannot be marked; its record goes all the same, or it would come back each heartbeat.
        logger.warn({ err: error, chatId: record.chat_id }, "cannot mark an interrupted answer");
      }
      await deleteAnswerRecords(db, [record.id]);
    }
  }

  async #guard(what: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.#options.logger.warn({ err: error }, `${what} failed`);
    }
  }
}
