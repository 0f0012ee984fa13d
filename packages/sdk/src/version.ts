/**
 * The version of `@sluice/sdk` (kept equal to its package.json by a test). The server makes it
 * part of every plugin's content hash, so plugins are compiled and loaded again for a new SDK.
 *
 * @example
 * import { SDK_VERSION } from "@sluice/sdk";
 * console.log(`written for Sluice SDK ${SDK_VERSION}`);
 */
export const SDK_VERSION = "0.1.0";
