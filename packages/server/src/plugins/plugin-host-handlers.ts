import type { HostHandlers } from "../sandbox/invocation-handlers.ts";
import type { LoadPluginOptions } from "./loaded-plugin.ts";

/** The sandbox-wide handlers of a plugin being loaded: `host`, and what `pluginHost` adds for it. */
export function pluginHostHandlers(options: LoadPluginOptions): HostHandlers {
  const namespace = options.expectedNamespace;
  return { ...options.host, ...(namespace && options.pluginHost?.({ pluginId: options.pluginId, namespace })) };
}
