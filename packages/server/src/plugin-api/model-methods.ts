import { randomUUID } from "node:crypto";
import { SluiceError, type StreamEvent } from "@sluice/sdk";
import { z } from "zod";
import { chatRequestSchema } from "../core/chat-request.ts";
import { completeChat } from "../core/complete-chat.ts";
import { listCatalog } from "../core/list-models.ts";
import type { TurnPorts, TurnUser } from "../core/ports.ts";
import { defineMethod, type PluginApiMethods, type PluginApiScope } from "./plugin-api.ts";

/** The requesting user: a model call runs as them, so a call outside any user's request has none. */
function userOf(scope: PluginApiScope): TurnUser {
  if (!scope.user) {
    throw new SluiceError(
      "INVALID_INPUT",
      "ctx.models needs the user a call runs for, and this call has none (it runs outside any user's request)",
    );
  }
  return scope.user;
}

/** An answer a plugin reads chunk by chunk (`models.next`), and whose call it belongs to. */
interface OpenStream {
  owner: string;
  chunks: AsyncGenerator<StreamEvent, void>;
  close(): Promise<void>;
}

const ownerOf = (scope: PluginApiScope) => `${scope.namespace}:${scope.pluginId}:${scope.userId ?? ""}`;

/**
 * `ctx.models` on the service channel: `models.list` (the models the user may use),
 * `models.complete` (a chat request through Sluice's own pipeline as the user, see
 * `core/complete-chat.ts`), and for `stream: true` a pull-based stream: `models.complete` answers
 * `{ stream: id }`, each `models.next(id)` the next chunk (`{ done: false, chunk }`, then
 * `{ done: true }`), `models.close(id)` stops it. A stream is closed when the plugin stops
 * reading, and at the latest when the hook call that opened it ends (its signal aborts).
 *
 * @example
 * const api = new PluginApi({ ...modelMethods(() => services.turn) });
 */
export function modelMethods(ports: () => TurnPorts): PluginApiMethods {
  const streams = new Map<string, OpenStream>();
  const streamOf = (scope: PluginApiScope, id: string): OpenStream => {
    const stream = streams.get(id);
    if (!stream || stream.owner !== ownerOf(scope)) {
      throw new SluiceError("NOT_FOUND", `ctx.models: no open answer stream ${JSON.stringify(id.slice(0, 100))} (it ended or was closed)`);
    }
    return stream;
  };
  const open = (scope: PluginApiScope, chunks: AsyncGenerator<StreamEvent, void>, signal: AbortSignal): string => {
    const id = randomUUID();
    const close = async () => {
      if (!streams.delete(id)) return;
      signal.removeEventListener("abort", onAbort);
      await chunks.return();
    };
    const onAbort = () => void close().catch(() => {});
    streams.set(id, { owner: ownerOf(scope), chunks, close });
    signal.addEventListener("abort", onAbort, { once: true });
    return id;
  };
  return {
    "models.list": defineMethod(z.tuple([]), async (scope) => {
      const user = userOf(scope);
      const turnPorts = ports();
      const noEvents = { emit: async () => {}, call: async () => null, canCall: false };
      const session = turnPorts.plugins.open({ user, metadata: { user_id: user.id }, events: noEvents, requestFacts: scope.requestFacts });
      try {
        return (await listCatalog(turnPorts, session, user)).map((model) => ({
          id: model.id,
          name: model.name,
          owned_by: model.owned_by,
          meta: model.row?.meta ?? {},
        }));
      } finally {
        session.release();
      }
    }),
    "models.complete": defineMethod(
      z.tuple([chatRequestSchema, z.object({ filters: z.boolean().optional() }).nullish().optional()]),
      async (scope, [request, options]) => {
        const signal = scope.signal ?? new AbortController().signal;
        const result = await completeChat(ports(), {
          user: userOf(scope),
          request,
          filters: options?.filters ?? true,
          depth: scope.depth ?? 0,
          signal,
          requestFacts: scope.requestFacts,
        });
        if ("completion" in result) return result.completion;
        return { stream: open(scope, result.chunks, signal) };
      },
    ),
    "models.next": defineMethod(z.tuple([z.string()]), async (scope, [id]) => {
      const stream = streamOf(scope, id);
      try {
        const next = await stream.chunks.next();
        if (next.done) {
          await stream.close();
          return { done: true };
        }
        return { done: false, chunk: next.value };
      } catch (error) {
        await stream.close().catch(() => {});
        throw error;
      }
    }),
    "models.close": defineMethod(z.tuple([z.string()]), async (scope, [id]) => {
      const stream = streams.get(id);
      if (stream?.owner === ownerOf(scope)) await stream.close();
      return true;
    }),
  };
}
