import path from "node:path";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";
import { buildSdkTypes } from "./build-sdk-types.ts";

/** The module id the plugin editor imports the SDK types bundle from. */
export const SDK_TYPES_MODULE = "virtual:sluice-sdk-types";
const RESOLVED_ID = "\0sluice-sdk-types";
const SDK_SOURCE = fileURLToPath(new URL("../../sdk/src", import.meta.url));

/**
 * Vite plugin: serves `virtual:sluice-sdk-types`, the SDK's declarations emitted by
 * {@link buildSdkTypes} at build time (and again when an SDK source changes in `vite dev`), so
 * the editor's bundle always matches the SDK it is built with. The editor imports it lazily,
 * which makes it a chunk of its own.
 */
export function sdkTypesPlugin(): Plugin {
  return {
    name: "sluice-sdk-types",
    resolveId(id) {
      return id === SDK_TYPES_MODULE ? RESOLVED_ID : undefined;
    },
    load(id) {
      if (id !== RESOLVED_ID) return undefined;
      for (const entry of readdirSync(SDK_SOURCE, { recursive: true, encoding: "utf8" })) {
        if (entry.endsWith(".ts") && !entry.endsWith(".test.ts")) this.addWatchFile(path.join(SDK_SOURCE, entry));
      }
      // JSON.parse of a string literal parses faster than the same data as a JS object literal.
      return `export default JSON.parse(${JSON.stringify(JSON.stringify(buildSdkTypes()))});`;
    },
  };
}
