import { SluiceError } from "../errors.ts";
import type { PluginStorage, PluginStorageSpaces, StorageSetOptions } from "../plugin-storage.ts";
import { assertJsonValue } from "./assert-json-value.ts";
import type { HostServe } from "./create-serve.ts";
import { describeValue } from "./describe-value.ts";

/**
 * `ctx.storage` over the host's service channel: methods `storage.*` for the plugin's space and
 * `storage.user.*` for the requesting user's. The host checks keys, values and caps; what is
 * checked here is what only the plugin's side can see (a Date that JSON would turn into a string).
 *
 * @example
 * const storage = createStorage(createServe(host, invocationId));
 * await storage.user.set("count", 1);
 */
export function createStorage(serve: HostServe): PluginStorageSpaces {
  const user = storageSpace(serve, "storage.user", "ctx.storage.user");
  return Object.freeze({ ...storageSpace(serve, "storage", "ctx.storage"), user });
}

function storageSpace(serve: HostServe, space: string, label: string): PluginStorage {
  return Object.freeze({
    async get<Value>(key: string): Promise<Value | undefined> {
      checkKey(key, `${label}.get`);
      const found = (await serve(`${space}.get`, key)) as { value: Value } | null;
      return found === null ? undefined : found.value;
    },
    async set(key: string, value: unknown, options: StorageSetOptions = {}): Promise<void> {
      checkKey(key, `${label}.set`);
      if (value === undefined)
        throw new SluiceError("INVALID_INPUT", `${label}.set("${key}") got no value; use ${label}.delete to remove a key`);
      assertJsonValue(value, `The value given to ${label}.set("${key}")`, "value");
      await serve(`${space}.set`, key, value, options ?? {});
    },
    async delete(key: string): Promise<boolean> {
      checkKey(key, `${label}.delete`);
      return (await serve(`${space}.delete`, key)) === true;
    },
    async list(prefix = ""): Promise<string[]> {
      if (typeof prefix !== "string")
        throw new SluiceError("INVALID_INPUT", `${label}.list expects a string prefix, got ${describeValue(prefix)}`);
      return (await serve(`${space}.list`, prefix)) as string[];
    },
  });
}

function checkKey(key: unknown, label: string): void {
  if (typeof key !== "string" || key === "")
    throw new SluiceError("INVALID_INPUT", `${label} expects a non-empty string key, got ${describeValue(key)}`);
}
