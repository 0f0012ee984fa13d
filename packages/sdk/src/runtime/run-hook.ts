import type { ToolParameters } from "../define-tools.ts";
import { SluiceError } from "../errors.ts";
import type { PluginAbortSignal } from "../plugin-context.ts";
import { matchesEventPattern } from "../server-event.ts";
import { assertJsonValue } from "./assert-json-value.ts";
import { endInvocation, startInvocation } from "./abort-invocation.ts";
import { backgroundAnnouncement } from "./background-work.ts";
import { createContext } from "./create-context.ts";
import { describeValue, isPlainObject } from "./describe-value.ts";
import { checkEntries, type NormalizedPlugin } from "./normalize-plugin.ts";
import type { InvokeRequest, SluiceHost } from "./types.ts";

/**
 * What a hook produced: the value, and for a pipe returning an iterable, its chunks.
 *
 * @example
 * const { value, chunks } = await runHook(plugin, request, host);
 */
export interface HookOutput {
  value: unknown;
  chunks?: unknown[];
}

/**
 * Runs one hook of a plugin with Sluice's semantics and checks what it returns. Throws what the
 * plugin throws, and `SluiceError`s for bad input or output. `invokeHook` and the test harness
 * both run hooks through here.
 *
 * @example
 * const output = await runHook(plugin, { ...request, hook: "stream", payload: chunk }, host);
 * if (output.value === null) return; // dropped
 */
export async function runHook(plugin: NormalizedPlugin, request: InvokeRequest, host: SluiceHost): Promise<HookOutput> {
  const { hook, payload } = request;
  if (
    (hook === "inlet" || hook === "request" || hook === "stream" || hook === "outlet") &&
    plugin.kind === "filter" &&
    !plugin.hooks[hook]
  ) {
    return { value: payload }; // Open WebUI skips a filter without that hook.
  }
  checkHookExists(plugin, request);
  const handle = startInvocation(request.invocationId);
  try {
    const ctx = createContext(plugin, request, host, handle.signal);
    switch (hook) {
      case "inlet":
      case "request":
      case "outlet":
        return { value: checkBody(hook, await plugin.hooks[hook]!(requireObject(hook, payload), ctx), payload) };
      case "stream": {
        const result = await plugin.hooks.stream!(requireObject(hook, payload), ctx);
        if (result === undefined) return { value: payload };
        return { value: result === null ? null : checkBody(hook, result, payload) };
      }
      case "pipe":
        // Awaited here, so the invocation (its ctx.signal, its open fetch bodies) lasts until the output is collected.
        return await collectPipeOutput(await plugin.hooks.pipe!(requireObject(hook, payload), ctx), handle.signal);
      case "pipes": {
        const entries = typeof plugin.pipes === "function" ? await plugin.pipes(ctx) : plugin.pipes;
        return {
          value: checkEntries(
            entries,
            "the list returned by pipes()",
            (problem) => {
              throw new SluiceError("PLUGIN_ERROR", problem);
            },
            { isManifold: true },
          ),
        };
      }
      case "action":
        return { value: checkResult("action", await plugin.hooks.action!(requireObject(hook, payload), ctx)) };
      case "tool": {
        const tool = plugin.tools.get(request.toolName ?? "")!;
        const args = await parseToolArguments(tool.name, tool.parameters, payload);
        return { value: checkResult(`tool "${tool.name}"`, await tool.execute(args, ctx)) };
      }
      case "event":
        await runEventHandlers(plugin, requireObject(hook, payload), ctx);
        return { value: null };
      default:
        throw new SluiceError("INVALID_INPUT", `Unknown hook ${JSON.stringify(hook)}`);
    }
  } finally {
    const announcement = backgroundAnnouncement(request.invocationId);
    if (announcement) await announcement;
    endInvocation(request.invocationId, handle);
  }
}

export function checkHookExists(plugin: NormalizedPlugin, request: InvokeRequest): void {
  const { hook } = request;
  let isPresent: boolean;
  if (hook === "pipes") isPresent = plugin.pipes !== null;
  else if (hook === "tool") isPresent = plugin.tools.has(request.toolName ?? "");
  else if (hook === "event") isPresent = plugin.events.length > 0;
  else isPresent = typeof plugin.hooks[hook as keyof NormalizedPlugin["hooks"]] === "function";
  if (isPresent) return;
  if (hook === "tool") {
    const names = [...plugin.tools.keys()];
    const known = names.length ? `its tools are ${names.join(", ")}` : "it has no tools";
    throw new SluiceError("INVALID_INPUT", `Unknown tool ${JSON.stringify(request.toolName)}: ${known}`);
  }
  throw new SluiceError("INVALID_INPUT", `This ${plugin.kind} plugin has no "${hook}" hook`);
}

export function requireObject(hook: string, payload: unknown): Record<string, unknown> {
  if (!isPlainObject(payload)) throw new SluiceError("INVALID_INPUT", `The ${hook} hook needs an object, got ${describeValue(payload)}`);
  return payload;
}

export function checkBody(hook: string, result: unknown, payload: unknown): unknown {
  if (result === undefined) return payload;
  if (!isPlainObject(result)) {
    const keep = hook === "stream" ? "the event (null drops it, nothing keeps it unchanged)" : "the body (or nothing to keep it unchanged)";
    throw new SluiceError("PLUGIN_ERROR", `${hook} returned ${describeValue(result)}; return ${keep}`);
  }
  assertJsonValue(result, `What ${hook} returned`, hook === "stream" ? "event" : "body");
  return result;
}

export function checkResult(label: string, result: unknown): unknown {
  assertJsonValue(result, `What ${label} returned`, "result");
  return result === undefined ? null : result;
}

async function collectPipeOutput(result: unknown, signal: PluginAbortSignal): Promise<HookOutput> {
  if (typeof result === "string") return { value: result };
  const iterable = result as Partial<AsyncIterable<unknown> & Iterable<unknown>> | null | undefined;
  const isIterable =
    typeof iterable?.[Symbol.asyncIterator] === "function" || (typeof iterable?.[Symbol.iterator] === "function" && !Array.isArray(result));
  if (!isIterable) return { value: checkResult("pipe", result) };
  const chunks: unknown[] = [];
  for await (const chunk of iterable as AsyncIterable<unknown>) {
    signal.throwIfAborted();
    if (typeof chunk !== "string" && !isPlainObject(chunk)) {
      throw new SluiceError("PLUGIN_ERROR", `pipe yielded ${describeValue(chunk)}; yield strings or chat.completion.chunk objects`);
    }
    assertJsonValue(chunk, "What pipe yielded", `chunk[${chunks.length}]`);
    chunks.push(chunk);
  }
  return { value: null, chunks };
}

/**
 * Runs every handler whose pattern matches the event's name, in the order written; one that
 * throws does not keep the next from running, and the first failure is thrown once all ran.
 */
async function runEventHandlers(plugin: NormalizedPlugin, event: Record<string, unknown>, ctx: unknown): Promise<void> {
  if (typeof event.name !== "string")
    throw new SluiceError("INVALID_INPUT", `The event hook needs an event with a name, got ${describeValue(event.name)}`);
  const name = event.name;
  const frozen = Object.freeze(event);
  let failure: { error: unknown } | undefined;
  for (const entry of plugin.events) {
    if (!matchesEventPattern(entry.pattern, name)) continue;
    try {
      await entry.handler(frozen, ctx);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}

async function parseToolArguments(name: string, parameters: ToolParameters, payload: unknown): Promise<unknown> {
  let args = payload ?? {};
  if (typeof args === "string") {
    try {
      args = args.trim() === "" ? {} : JSON.parse(args);
    } catch {
      throw new SluiceError("INVALID_INPUT", `Invalid arguments for tool "${name}": not valid JSON`);
    }
  }
  const parsed = await parameters.safeParseAsync(args);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) =>
    issue.path.length ? `${issue.path.map(String).join(".")}: ${issue.message}` : issue.message,
  );
  throw new SluiceError("INVALID_INPUT", `Invalid arguments for tool "${name}": ${issues.join("; ")}`, { details: parsed.error.issues });
}
