import type { ActionEntry } from "../define-action.ts";
import type { PipeEntry } from "../define-pipe.ts";
import type { ToolParameters } from "../define-tools.ts";
import type { PluginKind } from "../plugin-kind.ts";
import { matchesEventPattern, SERVER_EVENT_NAMES } from "../server-event.ts";
import type { ValvesSchema } from "../valves-schema.ts";
import { describeValue, isPlainObject } from "./describe-value.ts";
import { isObjectSchema } from "./is-object-schema.ts";

/**
 * A hook as the runtime calls it: data first, context second, `this` already bound.
 *
 * @example
 * const inlet: HookFunction = (body, ctx) => body;
 */
export type HookFunction = (data: unknown, ctx: unknown) => unknown;

/**
 * One tool, checked.
 *
 * @example
 * const result = await plugin.tools.get("search")!.execute({ q: "x" }, ctx);
 */
export interface NormalizedTool {
  name: string;
  description: string;
  parameters: ToolParameters;
  execute: HookFunction;
}

/**
 * One handler of an event plugin: the name or pattern it listens to.
 *
 * @example
 * const entry: NormalizedEventHandler = { pattern: "chat.*", handler: (event, ctx) => undefined };
 */
export interface NormalizedEventHandler {
  pattern: string;
  handler: HookFunction;
}

/**
 * A plugin in one shape, whatever form (define* object or class) it was written in.
 *
 * @example
 * if (plugin.kind === "filter" && plugin.hooks.stream) await plugin.hooks.stream(chunk, ctx);
 */
export interface NormalizedPlugin {
  kind: PluginKind;
  valves: ValvesSchema | null;
  userValves: ValvesSchema | null;
  toggle: boolean;
  icon: string | null;
  /** A filter that handles the request's attached files itself. */
  fileHandler: boolean;
  /** A filter whose `stream` hook reads and changes only the text of each chunk. */
  streamTextOnly: boolean;
  pipes: PipeEntry[] | ((ctx: unknown) => unknown) | null;
  actions: ActionEntry[] | null;
  hooks: Partial<Record<"inlet" | "request" | "stream" | "outlet" | "pipe" | "action", HookFunction>>;
  tools: Map<string, NormalizedTool>;
  /** An event plugin's handlers, in the order written. */
  events: NormalizedEventHandler[];
}

/**
 * Reads one member of the plugin (an instance property, then a static one for classes).
 *
 * @example
 * const read: MemberReader = (name) => instance[name] ?? PluginClass[name];
 */
export type MemberReader = (name: string) => unknown;

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Checks a plugin of a known kind and brings it into {@link NormalizedPlugin} form. `label` names
 * the plugin in error messages ("defineFilter(…)", "class Filter"). Throws an `Error` saying what
 * is wrong.
 *
 * @example
 * normalizePlugin("filter", (name) => definition[name], definition, "defineFilter(…)");
 */
export function normalizePlugin(kind: PluginKind, read: MemberReader, owner: object, label: string): NormalizedPlugin {
  const fail = (problem: string): never => {
    throw new Error(`Malformed plugin (${label}): ${problem}`);
  };
  const hook = (name: string): HookFunction | undefined => {
    const value = read(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "function") fail(`"${name}" must be a function, got ${describeValue(value)}`);
    return (value as HookFunction).bind(owner);
  };
  const plugin: NormalizedPlugin = {
    kind,
    valves: readSchema(read, "valves", fail),
    userValves: readSchema(read, "userValves", fail),
    toggle: false,
    icon: null,
    fileHandler: false,
    streamTextOnly: false,
    pipes: null,
    actions: null,
    hooks: {},
    tools: new Map(),
    events: [],
  };
  if (kind === "pipe") {
    plugin.hooks.pipe = hook("pipe") ?? fail('a pipe needs a "pipe" function');
    plugin.pipes = readPipes(read("pipes"), owner, fail);
  } else if (kind === "filter") {
    for (const name of ["inlet", "request", "stream", "outlet"] as const) {
      const found = hook(name);
      if (found) plugin.hooks[name] = found;
    }
    if (Object.keys(plugin.hooks).length === 0) fail('a filter needs at least one of "inlet", "request", "stream" or "outlet"');
    const toggle = read("toggle") ?? false;
    if (typeof toggle !== "boolean") fail(`"toggle" must be true or false, got ${describeValue(toggle)}`);
    const icon = read("icon") ?? null;
    if (icon !== null && typeof icon !== "string") fail(`"icon" must be a URL or data URI string, got ${describeValue(icon)}`);
    plugin.toggle = toggle as boolean;
    // Open WebUI's classes spell it file_handler.
    const fileHandler = read("fileHandler") ?? read("file_handler") ?? false;
    if (typeof fileHandler !== "boolean") fail(`"fileHandler" must be true or false, got ${describeValue(fileHandler)}`);
    plugin.fileHandler = fileHandler as boolean;
    const streamTextOnly = read("streamTextOnly") ?? false;
    if (typeof streamTextOnly !== "boolean") fail(`"streamTextOnly" must be true or false, got ${describeValue(streamTextOnly)}`);
    plugin.streamTextOnly = streamTextOnly as boolean;
    plugin.icon = icon as string | null;
  } else if (kind === "action") {
    plugin.hooks.action = hook("action") ?? fail('an action needs an "action" function');
    const actions = read("actions");
    if (actions !== undefined && actions !== null) plugin.actions = checkEntries(actions, '"actions"', fail) as ActionEntry[];
  } else if (kind === "events") {
    plugin.events = readEventHandlers(read, owner, fail);
  } else {
    plugin.tools = readTools(read, owner, fail);
  }
  return plugin;
}

function readSchema(read: MemberReader, name: string, fail: (problem: string) => never): ValvesSchema | null {
  const value = read(name);
  if (value === undefined || value === null) return null;
  if (!isObjectSchema(value)) fail(`"${name}" must be a zod object schema (z.object({ … })), got ${describeValue(value)}`);
  return value as ValvesSchema;
}

function readPipes(value: unknown, owner: object, fail: (problem: string) => never): NormalizedPlugin["pipes"] {
  if (value === undefined || value === null) return null;
  if (typeof value === "function") return (value as (ctx: unknown) => unknown).bind(owner);
  if (!Array.isArray(value)) fail(`"pipes" must be a list of { id, name } or a function returning one, got ${describeValue(value)}`);
  return checkEntries(value, '"pipes"', fail, { isManifold: true }) as PipeEntry[];
}

/**
 * Checks a list of `{ id, name, icon_url? }` and returns a plain copy.
 *
 * @example
 * checkEntries([{ id: "a", name: "A" }], '"pipes"', fail); // [{ id: "a", name: "A" }]
 */
export function checkEntries(
  value: unknown,
  label: string,
  fail: (problem: string) => never,
  options: { isManifold?: boolean } = {},
): Array<{ id: string; name: string; icon_url?: string }> {
  if (!Array.isArray(value)) return fail(`${label} must be a list of { id, name }, got ${describeValue(value)}`);
  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    const record = entry as Record<string, unknown>;
    // Manifold entries are model ids, which have dots ("gpt-4.1-mini", "llama3.1:8b"); an empty or
    // repeated one is left for the server to drop on its own, so the rest of the list stays.
    const isEmptyAllowed = options.isManifold === true && record?.id === "";
    if (
      !isPlainObject(entry) ||
      typeof record.id !== "string" ||
      (record.id === "" && !isEmptyAllowed) ||
      typeof record.name !== "string"
    ) {
      return fail(`${label}[${index}] must be { id: string, name: string }, got ${describeValue(entry)}`);
    }
    if (!options.isManifold && record.id.includes(".")) fail(`${label}[${index}].id "${record.id}" must not contain "."`);
    if (!options.isManifold && seen.has(record.id)) fail(`${label} has the id "${record.id}" twice`);
    seen.add(record.id);
    if (record.icon_url !== undefined && typeof record.icon_url !== "string") fail(`${label}[${index}].icon_url must be a string`);
    return { id: record.id, name: record.name, ...(typeof record.icon_url === "string" && { icon_url: record.icon_url }) };
  });
}

const EVENT_PATTERN = /^[a-z0-9_.*]{1,100}$/;

function readEventHandlers(read: MemberReader, owner: object, fail: (problem: string) => never): NormalizedEventHandler[] {
  const handlers: NormalizedEventHandler[] = [];
  const on = read("on");
  if (on !== undefined && on !== null) {
    if (!isPlainObject(on)) fail(`"on" must be an object of handlers by event name or pattern, got ${describeValue(on)}`);
    for (const [pattern, handler] of Object.entries(on as Record<string, unknown>)) {
      if (!EVENT_PATTERN.test(pattern))
        fail(`"on": "${pattern}" is not an event name or pattern (lower-case letters, digits, "_", "." and "*")`);
      if (!SERVER_EVENT_NAMES.some((name) => matchesEventPattern(pattern, name))) {
        fail(`"on": "${pattern}" matches no server event; the events are ${SERVER_EVENT_NAMES.join(", ")}`);
      }
      if (typeof handler !== "function") fail(`"on": the handler of "${pattern}" must be a function, got ${describeValue(handler)}`);
      handlers.push({ pattern, handler: (handler as HookFunction).bind(on) });
    }
  }
  // Open WebUI's `class Event` has one `event` method that gets every event.
  const event = read("event");
  if (event !== undefined && event !== null) {
    if (typeof event !== "function") fail(`"event" must be a function, got ${describeValue(event)}`);
    handlers.push({ pattern: "*", handler: (event as HookFunction).bind(owner) });
  }
  if (handlers.length === 0) fail('an event plugin needs handlers in "on" (by event name or pattern) or an "event" method');
  return handlers;
}

function readTools(read: MemberReader, owner: object, fail: (problem: string) => never): Map<string, NormalizedTool> {
  const tools = read("tools");
  if (!isPlainObject(tools))
    return fail(`"tools" must be an object of { description, parameters, execute } by tool name, got ${describeValue(tools)}`);
  const result = new Map<string, NormalizedTool>();
  for (const [name, entry] of Object.entries(tools)) {
    if (!TOOL_NAME.test(name)) fail(`tool name "${name}" must be 1–64 letters, digits, "_" or "-"`);
    if (!isPlainObject(entry)) fail(`tool "${name}" must be { description, parameters, execute }, got ${describeValue(entry)}`);
    const parameters = entry.parameters;
    if (!isObjectSchema(parameters))
      fail(`tool "${name}" needs "parameters", a zod object schema (z.object({ … })), got ${describeValue(parameters)}`);
    const description = entry.description ?? name;
    if (typeof description !== "string") fail(`tool "${name}": "description" must be a string`);
    let execute = entry.execute;
    if (execute === undefined) {
      if (name.startsWith("_")) fail(`tool "${name}": a method whose name starts with "_" is private and cannot be a tool`);
      execute = (owner as Record<string, unknown>)[name];
      if (typeof execute !== "function") fail(`tool "${name}" needs an "execute" function (or a method named "${name}")`);
    } else if (typeof execute !== "function") {
      fail(`tool "${name}": "execute" must be a function, got ${describeValue(execute)}`);
    }
    const owningObject = entry.execute === undefined ? owner : entry;
    result.set(name, {
      name,
      description: description as string,
      parameters: parameters as ToolParameters,
      execute: (execute as HookFunction).bind(owningObject),
    });
  }
  if (result.size === 0) fail('a tools plugin needs at least one tool in "tools"');
  return result;
}
