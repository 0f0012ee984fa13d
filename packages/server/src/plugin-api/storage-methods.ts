import { SluiceError } from "@sluice/sdk";
import { z } from "zod";
import type { StorageSpace } from "../db/plugin-storage-repository.ts";
import { defineMethod, type PluginApiMethods, type PluginApiScope } from "./plugin-api.ts";
import type { PluginStorage } from "./plugin-storage.ts";

const key = z.string();
const setOptions = z.object({ ttlSeconds: z.number().nullish() }).nullish();

function pluginSpace(scope: PluginApiScope): StorageSpace {
  return { namespace: scope.namespace, pluginId: scope.pluginId, userId: "" };
}

function userSpace(scope: PluginApiScope): StorageSpace {
  if (!scope.userId) {
    throw new SluiceError(
      "INVALID_INPUT",
      "ctx.storage.user needs the user a call runs for, and this call has none (it runs outside any user's request); use ctx.storage",
    );
  }
  return { namespace: scope.namespace, pluginId: scope.pluginId, userId: scope.userId };
}

/**
 * `ctx.storage` (methods `storage.*`, the plugin's space) and `ctx.storage.user`
 * (`storage.user.*`, the plugin's space for the requesting user) on the service channel.
 */
export function storageMethods(storage: PluginStorage): PluginApiMethods {
  const methods: Record<string, ReturnType<typeof defineMethod>> = {};
  for (const [prefix, spaceOf] of [
    ["storage", pluginSpace],
    ["storage.user", userSpace],
  ] as const) {
    methods[`${prefix}.get`] = defineMethod(z.tuple([key]), (scope, [name]) => storage.get(spaceOf(scope), name));
    methods[`${prefix}.set`] = defineMethod(z.tuple([key, z.unknown(), setOptions.optional()]), (scope, [name, value, options]) =>
      storage.set(spaceOf(scope), name, value, options ?? {}),
    );
    methods[`${prefix}.delete`] = defineMethod(z.tuple([key]), (scope, [name]) => storage.delete(spaceOf(scope), name));
    methods[`${prefix}.list`] = defineMethod(z.tuple([z.string().optional()]), (scope, [prefixOfKeys]) =>
      storage.list(spaceOf(scope), prefixOfKeys ?? ""),
    );
  }
  return methods;
}
