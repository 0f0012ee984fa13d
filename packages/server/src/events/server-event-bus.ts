import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { matchesEventPattern, type ServerEvent, type ServerEventName } from "@sluice/sdk";

/** What a route says about an event it raises; the bus adds the id and the time. */
export type RaisedEvent<Name extends ServerEventName> = Omit<ServerEvent<Name>, "id" | "name" | "ts">;

/** One receiver of events: an active event plugin. */
export interface EventListener {
  /** Names the receiver in log lines (the plugin id). */
  id: string;
  /** The names and patterns it listens to. */
  patterns: readonly string[];
  /** Delivers one event; a rejection is logged. `signal` aborts when the bus closes. */
  deliver(event: ServerEvent, signal: AbortSignal): Promise<void>;
}

export interface ServerEventBusOptions {
  logger: Logger;
  /** The listeners of the moment (the active event plugins), asked once per event. */
  listeners(): Promise<readonly EventListener[]>;
  /** Most events waiting to be handed out, and most deliveries waiting per listener; past it an event is dropped (a log line says so). */
  maxQueued: number;
}

interface ListenerQueue {
  listener: EventListener;
  events: ServerEvent[];
  isRunning: boolean;
}

/**
 * The server's in-process event bus: routes `raise` an event and go on at once; the bus hands it
 * to every listener whose pattern matches, later, each listener getting its events one at a time
 * in the order they were raised. A slow or failing listener holds up only its own events; a
 * failure is logged, never thrown back. Both queues are bounded (`maxQueued`): past that an event
 * is dropped with a warning, so a stuck plugin cannot grow the server's memory.
 *
 * Delivery is on the instance that raised the event (with several instances behind a load
 * balancer, each event reaches each active event plugin once, on that instance).
 *
 * @example
 * const bus = new ServerEventBus({ logger, maxQueued: 1000, listeners: async () => [auditPlugin] });
 * bus.raise("chat.created", { subject: { type: "chat", id: chat.id }, actor, data: { title: chat.title } });
 */
export class ServerEventBus {
  readonly #options: ServerEventBusOptions;
  readonly #waiting: ServerEvent[] = [];
  readonly #queues = new Map<string, ListenerQueue>();
  readonly #closing = new AbortController();
  #isDispatching = false;

  constructor(options: ServerEventBusOptions) {
    this.#options = options;
  }

  /** Queues an event for the listeners and returns at once; never throws. */
  raise<Name extends ServerEventName>(name: Name, fields: RaisedEvent<Name>): void {
    if (this.#closing.signal.aborted) return;
    const event = { id: randomUUID(), name, ts: Date.now(), ...fields } as ServerEvent;
    if (this.#waiting.length >= this.#options.maxQueued) {
      this.#options.logger.warn({ event: name, subject: event.subject }, "server event dropped: the event queue is full");
      return;
    }
    this.#waiting.push(event);
    if (!this.#isDispatching) {
      this.#isDispatching = true;
      setImmediate(() => void this.#dispatch());
    }
  }

  /** Stops delivering: queued events are dropped and deliveries in progress see their signal abort. */
  close(): void {
    this.#closing.abort(new Error("The server is stopping"));
    this.#waiting.length = 0;
    for (const queue of this.#queues.values()) queue.events.length = 0;
  }

  async #dispatch(): Promise<void> {
    try {
      while (this.#waiting.length > 0 && !this.#closing.signal.aborted) {
        const event = this.#waiting.shift()!;
        let listeners: readonly EventListener[];
        try {
          listeners = await this.#options.listeners();
        } catch (error) {
          this.#options.logger.error(
            { err: error, event: event.name },
            "server event not delivered: the event plugins could not be listed",
          );
          continue;
        }
        for (const listener of listeners) {
          if (listener.patterns.some((pattern) => matchesEventPattern(pattern, event.name))) this.#enqueue(listener, event);
        }
      }
    } finally {
      this.#isDispatching = false;
    }
  }

  #enqueue(listener: EventListener, event: ServerEvent): void {
    let queue = this.#queues.get(listener.id);
    if (!queue) {
      queue = { listener, events: [], isRunning: false };
      this.#queues.set(listener.id, queue);
    }
    // The newest listener object: the plugin may have been saved since its queue began.
    queue.listener = listener;
    if (queue.events.length >= this.#options.maxQueued) {
      this.#options.logger.warn({ pluginId: listener.id, event: event.name }, "server event dropped: the event plugin's queue is full");
      return;
    }
    queue.events.push(event);
    if (!queue.isRunning) void this.#run(queue);
  }

  async #run(queue: ListenerQueue): Promise<void> {
    queue.isRunning = true;
    try {
      while (queue.events.length > 0 && !this.#closing.signal.aborted) {
        const event = queue.events.shift()!;
        try {
          await queue.listener.deliver(event, this.#closing.signal);
        } catch (error) {
          this.#options.logger.warn(
            { err: error, pluginId: queue.listener.id, event: event.name },
            "event plugin failed on a server event",
          );
        }
      }
    } finally {
      queue.isRunning = false;
      if (queue.events.length === 0) this.#queues.delete(queue.listener.id);
    }
  }
}
