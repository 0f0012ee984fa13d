import { SluiceError } from "../errors.ts";
import type { EventCall, PluginAbortSignal, PluginContext, PluginUser, PipesContext } from "../plugin-context.ts";
import { assertJsonValue } from "./assert-json-value.ts";
import { createFetch } from "./create-fetch.ts";
import { createLogger } from "./create-logger.ts";
import { describeValue } from "./describe-value.ts";
import type { NormalizedPlugin } from "./normalize-plugin.ts";
import { resolveValves } from "./resolve-valves.ts";
import type { InvokeRequest, SluiceHost } from "./types.ts";
import { unwrapHostResult } from "./unwrap-host-result.ts";

const NO_SESSION_MESSAGE =
  "ctx.call needs the browser tab the request came from, and this request has none (an API call or a background task); " +
  "check ctx.metadata.session_id before asking the user";

/**
 * Builds the `ctx` a hook receives: valves validated (defaults applied) and frozen, the user with
 * their user valves, and `emit`, `call`, `fetch`, `log`, `signal` bound to this invocation.
 * A missing user is allowed only for the `pipes` hook.
 */
export function createContext(plugin: NormalizedPlugin, request: InvokeRequest, host: SluiceHost, signal: PluginAbortSignal): PluginContext | PipesContext {
  const { invocationId, context } = request;
  const valves = resolveValves(plugin.valves, context.valves, "valves");
  let user: PluginUser | null = null;
  if (context.user) {
    user = Object.freeze({ ...context.user, valves: resolveValves(plugin.userValves, context.userValves, "userValves") });
  } else if (request.hook !== "pipes") {
    throw new SluiceError("INVALID_INPUT", `The host sent no user for the "${request.hook}" hook (only "pipes" may run without one)`);
  }
  const call = async (event: { type: string; data?: unknown }) => {
    checkEvent(event, "ctx.call");
    if (!context.canCall) throw new SluiceError("FORBIDDEN", NO_SESSION_MESSAGE);
    const answer = unwrapHostResult(await host.call(invocationId, { type: event.type, data: event.data ?? null }), "call");
    if (event.type === "confirmation") return answer === true;
    if (event.type === "input") return typeof answer === "string" ? answer : answer === null || answer === undefined || answer === false ? "" : String(answer);
    return answer;
  };
  return Object.freeze({
    id: context.id,
    user: user as PluginUser,
    valves,
    metadata: { ...context.metadata },
    model: context.model as PluginContext["model"],
    messages: (context.messages ?? []) as PluginContext["messages"],
    files: (context.files ?? []) as PluginContext["files"],
    async emit(event: { type: string; data?: unknown }) {
      checkEvent(event, "ctx.emit");
      unwrapHostResult(await host.emit(invocationId, { type: event.type, data: event.data ?? null }), "emit");
    },
    call: call as EventCall,
    fetch: createFetch(host, invocationId, signal),
    log: createLogger(host, invocationId),
    signal,
  });
}

function checkEvent(event: { type?: unknown; data?: unknown } | null | undefined, label: string): void {
  if (typeof event !== "object" || event === null || typeof event.type !== "string" || event.type === "") {
    throw new SluiceError("INVALID_INPUT", `${label} expects { type: string, data }, got ${describeValue(event)}`);
  }
  assertJsonValue(event.data, `${label}: the "${event.type}" event`, "data");
}
