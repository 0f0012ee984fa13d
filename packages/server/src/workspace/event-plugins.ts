import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { randomUUID } from "node:crypto";
import { matchesEventPattern, type ServerEvent, type ServerEventActor } from "@sluice/sdk";
import type { FunctionRecord } from "../core/records.ts";
import type { Database } from "../db/schema.ts";
import { listActiveFunctionsOfType } from "../db/functions-repository.ts";
import type { EventListener } from "../events/server-event-bus.ts";
import type { PluginApi } from "../plugin-api/plugin-api.ts";
import type { InvocationHandlers } from "../sandbox/invocation-handlers.ts";
import type { SecretBox } from "../valves/secret-box.ts";
import { openValves } from "../valves/stored-valves.ts";
import type { PluginWorkspace } from "./plugin-workspace.ts";

/** What delivering events to event plugins needs of the server. */
export interface EventPluginDependencies {
  db: Kysely<Database>;
  workspace: Pick<PluginWorkspace, "loaded">;
  secrets: SecretBox;
  logger: Logger;
  /** Serves their `ctx.storage` (the plugin's own space; an event has no user). */
  pluginApi: Pick<PluginApi, "serve">;
}

/**
 * The event plugins (functions of type `event`) as receivers of server events: the active ones
 * for the bus, and the one being switched off for its own `function.disable_started`.
 */
export interface EventPlugins {
  /** The active event plugins, each a listener of the patterns it declared. */
  listeners(): Promise<EventListener[]>;
  /**
   * Tells an active event plugin that it is being switched off (`function.disable_started`) and
   * waits for it, at most its time limit; what goes wrong is logged, and the switch-off goes on.
   */
  announceDisable(record: FunctionRecord, actor: ServerEventActor | null): Promise<void>;
}

/** The actor of an event raised by a signed-in user. */
export function actorOf(user: { id: string; name: string; email: string; role: string }): ServerEventActor {
  return { id: user.id, name: user.name, email: user.email, role: user.role };
}

/** See {@link EventPlugins}. */
export function createEventPlugins(dependencies: EventPluginDependencies): EventPlugins {
  const { db, workspace, secrets, logger, pluginApi } = dependencies;

  /** Runs the plugin's handlers for one event; rejects with the plugin's error. */
  const deliver = async (record: FunctionRecord, event: ServerEvent, signal: AbortSignal, timeoutMs?: number): Promise<void> => {
    const loaded = await workspace.loaded("function", record);
    const release = loaded.sandbox.hold();
    try {
      const handlers: InvocationHandlers = {
        log: (level, message) => logger[level]({ pluginId: record.id, event: event.name }, message),
        serve: (method, args, context) =>
          pluginApi.serve(
            {
              namespace: "function",
              pluginId: record.id,
              userId: null,
              signal: context ? AbortSignal.any([signal, context.signal]) : signal,
            },
            method,
            args,
          ),
      };
      const limit = timeoutMs === undefined ? signal : AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
      const result = await loaded.sandbox.invoke(
        {
          hook: "event",
          payload: event,
          context: {
            id: record.id,
            user: null,
            valves: openValves(record.valves, secrets),
            userValves: {},
            metadata: { event_name: event.name },
            canCall: false,
          },
        },
        handlers,
        { signal: limit },
      );
      if (!result.ok) throw result.error;
    } finally {
      release();
    }
  };

  return {
    async listeners() {
      const records = await listActiveFunctionsOfType(db, "event");
      return records.map((record) => ({
        id: record.id,
        // Saved with the row; a row saved before it was recorded is asked (its handlers match again).
        patterns: Array.isArray(record.meta.events) ? (record.meta.events as string[]) : ["*"],
        deliver: (event, signal) => deliver(record, event, signal),
      }));
    },

    async announceDisable(record, actor) {
      if (record.type !== "event" || !record.is_active) return;
      const patterns = Array.isArray(record.meta.events) ? (record.meta.events as string[]) : ["*"];
      const event: ServerEvent<"function.disable_started"> = {
        id: randomUUID(),
        name: "function.disable_started",
        subject: { type: "function", id: record.id },
        actor,
        ts: Date.now(),
        data: { name: record.name, type: record.type },
      };
      // Only a plugin that listens to it is asked (and waited for).
      if (!patterns.some((pattern) => matchesEventPattern(pattern, event.name))) return;
      try {
        const loaded = await workspace.loaded("function", record);
        await deliver(record, event, new AbortController().signal, loaded.sandbox.timeoutMs);
      } catch (error) {
        logger.warn({ pluginId: record.id, event: event.name, err: error }, "event plugin failed on its disable_started; switching it off");
      }
    },
  };
}
