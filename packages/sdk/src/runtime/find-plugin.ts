import { PLUGIN_KINDS, type PluginKind } from "../plugin-kind.ts";
import { describeValue, messageOf } from "./describe-value.ts";
import { normalizePlugin, type NormalizedPlugin } from "./normalize-plugin.ts";

/** Open WebUI's precedence for classes exported by name. */
const NAMED_CLASSES: Array<[string, PluginKind]> = [
  ["Pipe", "pipe"],
  ["Filter", "filter"],
  ["Action", "action"],
  ["Tools", "tools"],
  ["Event", "events"],
];

const DEFINE_HELPER: Record<PluginKind, string> = {
  pipe: "definePipe",
  filter: "defineFilter",
  action: "defineAction",
  tools: "defineTools",
  events: "defineEvents",
};

/**
 * Finds the plugin in a module's exports (see docs/internals/plugin-runtime.md §3): a `define*`
 * object as default export (or as `module.exports`), a default-exported class whose members decide
 * its kind, or a class exported as `Pipe`, `Filter`, `Action`, `Tools` or `Event` (in that precedence).
 * Throws an `Error` with a clear message when there is none or it is malformed.
 *
 * @example
 * const plugin = findPlugin({ default: defineFilter({ inlet: (body) => body }) });
 * plugin.kind; // "filter"
 */
export function findPlugin(moduleExports: unknown): NormalizedPlugin {
  const exports =
    (typeof moduleExports === "object" || typeof moduleExports === "function") && moduleExports !== null
      ? (moduleExports as Record<string, unknown>)
      : {};
  const isEsModule = exports.__esModule === true || "default" in exports;
  const main = isEsModule ? exports.default : moduleExports;

  if (hasKind(main)) return fromDefinition(main);
  if (isClass(main)) return fromClass(main, null, "default export class");
  for (const [name, kind] of NAMED_CLASSES) {
    const value = exports[name];
    if (value === undefined) continue;
    if (!isClass(value)) throw new Error(`Malformed plugin: the export "${name}" must be a class, got ${describeValue(value)}`);
    return fromClass(value, kind, `class ${name}`);
  }
  const found = main === undefined ? "no default export" : `a default export that is ${describeValue(main)}`;
  throw new Error(
    `No plugin found (${found}): export default definePipe(…), defineFilter(…), defineAction(…), defineTools(…) or defineEvents(…), ` +
      "or export a class named Pipe, Filter, Action, Tools or Event",
  );
}

function hasKind(value: unknown): value is Record<string, unknown> & { kind: unknown } {
  return typeof value === "object" && value !== null && "kind" in value;
}

function fromDefinition(definition: Record<string, unknown> & { kind: unknown }): NormalizedPlugin {
  const kind = definition.kind as PluginKind;
  if (!PLUGIN_KINDS.includes(kind)) {
    throw new Error(`Malformed plugin: unknown kind ${JSON.stringify(definition.kind)}; expected one of ${PLUGIN_KINDS.join(", ")}`);
  }
  return normalizePlugin(kind, (name) => definition[name], definition, `${DEFINE_HELPER[kind]}(…)`);
}

function isClass(value: unknown): value is new () => object {
  if (typeof value !== "function" || typeof value.prototype !== "object" || value.prototype === null) return false;
  return /^class[\s{]/.test(Function.prototype.toString.call(value)) || Object.getOwnPropertyNames(value.prototype).length > 1;
}

function fromClass(PluginClass: new () => object, namedKind: PluginKind | null, label: string): NormalizedPlugin {
  let instance: Record<string, unknown>;
  try {
    instance = new PluginClass() as Record<string, unknown>;
  } catch (error) {
    throw new Error(`Malformed plugin (${label}): its constructor threw: ${messageOf(error)}`);
  }
  const statics = PluginClass as unknown as Record<string, unknown>;
  const read = (name: string) => (instance[name] !== undefined ? instance[name] : statics[name]);
  const kind = namedKind ?? kindFromMembers(read, label);
  return normalizePlugin(kind, read, instance, label);
}

function kindFromMembers(read: (name: string) => unknown, label: string): PluginKind {
  if (typeof read("pipe") === "function") return "pipe";
  if (["inlet", "request", "stream", "outlet"].some((name) => typeof read(name) === "function")) return "filter";
  if (typeof read("action") === "function") return "action";
  if (read("tools") !== undefined) return "tools";
  if (typeof read("event") === "function" || read("on") !== undefined) return "events";
  throw new Error(
    `Malformed plugin (${label}): it has none of pipe, inlet, request, stream, outlet, action, tools, event or on, so its kind is unknown`,
  );
}
