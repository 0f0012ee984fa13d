import { createHash } from "node:crypto";

/**
 * The content hash a loaded plugin is cached under: sha256 (hex) of its source, its npm
 * requirements and the SDK version, so a change to any of them loads it again.
 *
 * @example
 * hashPluginSource(source, manifest.requirements ?? "", SDK_VERSION); // "9f86d081…"
 */
export function hashPluginSource(source: string, requirements: string, sdkVersion: string): string {
  // NUL separators: no source/requirements split of the same bytes can collide.
  return createHash("sha256").update(`sluice-plugin\0${sdkVersion}\0${requirements}\0`).update(source).digest("hex");
}
