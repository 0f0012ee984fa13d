import Module, { registerHooks } from "node:module";
import { isRefusedBuiltin } from "./refused-builtins.ts";

function refusal(name: string): Error {
  const error = new Error(
    `"${name}" is not available to trusted-tier plugins: it reaches past Node's permission model`,
  ) as NodeJS.ErrnoException;
  error.code = "ERR_ACCESS_DENIED";
  return error;
}

function lock(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: false, configurable: false, enumerable: false });
}

/**
 * Refuses the built-ins of {@link isRefusedBuiltin} in this process, on every path that loads a
 * built-in: `require` (any `require`: the plugin's, `createRequire`, `Module._load`,
 * `process.mainModule.require`) and `import()` through module hooks, and
 * `process.getBuiltinModule`, replaced. Module hooks can be registered only once, here, so a
 * plugin cannot put its own hooks in front. Call it before the plugin's code loads.
 */
export function refuseBuiltins(): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (isRefusedBuiltin(specifier)) throw refusal(specifier);
      const resolved = nextResolve(specifier, context);
      if (isRefusedBuiltin(resolved.url)) throw refusal(resolved.url);
      return resolved;
    },
    load(url, context, nextLoad) {
      if (isRefusedBuiltin(url)) throw refusal(url);
      return nextLoad(url, context);
    },
  });
  const noMoreHooks = () => {
    throw refusal("module.registerHooks");
  };
  lock(Module, "registerHooks", noMoreHooks);
  lock(Module, "register", noMoreHooks);
  // `import("node:module")` made after this sees the locked functions too.
  Module.syncBuiltinESMExports();
  const getBuiltinModule = process.getBuiltinModule.bind(process);
  lock(process, "getBuiltinModule", (name: string) => {
    if (typeof name === "string" && isRefusedBuiltin(name)) throw refusal(name);
    return getBuiltinModule(name);
  });
}
