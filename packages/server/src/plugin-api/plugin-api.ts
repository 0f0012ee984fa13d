import { SluiceError, type RequestFacts } from "@sluice/sdk";
import type { RequestTools, TurnUser } from "../core/ports.ts";
import type { z } from "zod";

/** Who a service call is made for: the plugin (and the table it is saved in), the user, the chat. */
export interface PluginApiScope {
  namespace: "function" | "tool";
  pluginId: string;
  /** The requesting user; null for a call outside any request (`ctx.storage.user` then fails). */
  userId: string | null;
  /** The request's chat, when it has a stored one. */
  chatId?: string | null;
  /** The requesting user in full (role, groups, settings): what a model call runs as (`ctx.models`). */
  user?: TurnUser;
  /** How deep the request's turn is nested in plugins' model calls (0 for a client's own). */
  depth?: number;
  /** Aborts when the hook call that made this service call ends, or its request goes away. */
  signal?: AbortSignal;
  /** The HTTP request that started the turn (`ctx.request`). */
  requestFacts?: RequestFacts;
  /** The requesting user's role (who may read which file). */
  userRole?: "admin" | "user" | "pending";
  /** The ids of the files the request carries (`files: [{type: "file", id}]`): `ctx.files.read` may open them. */
  requestFileIds?: readonly string[];
  /** The request's tools (`ctx.tools`), once its inlet chain ran and they were resolved. */
  tools?: RequestTools;
}

/** One method of the service channel: its arguments as a zod tuple, and what it does with them. */
export interface PluginApiMethod {
  readonly args: z.ZodType<unknown[]>;
  run(scope: PluginApiScope, args: unknown[]): Promise<unknown>;
}

/** The methods plugins may call, by name (`storage.get`, `storage.user.set`, …). */
export type PluginApiMethods = Readonly<Record<string, PluginApiMethod>>;

/**
 * A method with typed arguments: `run` receives what `args` parsed.
 *
 * @example
 * const methods = { "clock.now": defineMethod(z.tuple([]), async () => Date.now()) };
 */
export function defineMethod<Args extends z.ZodType<unknown[]>>(
  args: Args,
  run: (scope: PluginApiScope, args: z.output<Args>) => Promise<unknown>,
): PluginApiMethod {
  return { args, run: (scope, values) => run(scope, values as z.output<Args>) };
}

/**
 * The host side of the service channel (`serve`): every capability beyond emit, call, fetch and
 * log is a method in one table, so adding one is a change in one place here and a thin wrapper in
 * the SDK's runtime; every tier carries it already. Arguments are checked with the method's
 * schema; an unknown method or bad arguments are INVALID_INPUT errors the plugin receives.
 *
 * @example
 * const api = new PluginApi({ ...storageMethods(storage) });
 * await api.serve({ namespace: "function", pluginId: "counter", userId: "u1" }, "storage.user.get", ["count"]);
 */
export class PluginApi {
  readonly #methods: PluginApiMethods;

  constructor(methods: PluginApiMethods) {
    this.#methods = methods;
  }

  /** The names of the methods served, sorted. */
  get methodNames(): string[] {
    return Object.keys(this.#methods).sort();
  }

  /** Runs `method` for `scope`; rejects with a SluiceError the plugin sees as is. */
  async serve(scope: PluginApiScope, method: string, args: unknown[]): Promise<unknown> {
    const entry = Object.hasOwn(this.#methods, method) ? this.#methods[method] : undefined;
    if (!entry) {
      throw new SluiceError(
        "INVALID_INPUT",
        `This server has no host method "${String(method).slice(0, 100)}" (it offers ${this.methodNames.join(", ")}); is the plugin written for a newer Sluice?`,
      );
    }
    const parsed = entry.args.safeParse(args);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${describeArgument(issue.path)}${issue.message}`).join("; ");
      throw new SluiceError("INVALID_INPUT", `ctx.${method}: ${issues}`);
    }
    return entry.run(scope, parsed.data);
  }
}

function describeArgument(path: PropertyKey[]): string {
  if (path.length === 0) return "";
  const [position, ...rest] = path;
  return `argument ${Number(position) + 1}${rest.length ? ` (${rest.map(String).join(".")})` : ""}: `;
}
