import { readFileSync } from "node:fs";

function versionOf(packageJson: URL): string {
  return (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;
}

/** This server's version (packages/server/package.json), the one `required_sluice_version` is checked against. */
export const SLUICE_VERSION: string = versionOf(new URL("../../package.json", import.meta.url));

/** The SDK version plugins are compiled against; part of every plugin's content hash, so a new SDK reloads plugins. */
export { SDK_VERSION } from "@sluice/sdk";
