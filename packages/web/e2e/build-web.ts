import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const WEB_ROOT = fileURLToPath(new URL("..", import.meta.url));
const BUILT_INDEX = path.join(WEB_ROOT, "dist", "index.html");

function newestChange(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestChange(full));
    else if (!entry.name.includes(".test.")) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Whether packages/web/dist is missing or older than a source file, index.html or the Vite config. */
export function isWebBuildStale(): boolean {
  if (!existsSync(BUILT_INDEX)) return true;
  const builtAt = statSync(BUILT_INDEX).mtimeMs;
  const sourcesAt = Math.max(
    newestChange(path.join(WEB_ROOT, "src")),
    statSync(path.join(WEB_ROOT, "index.html")).mtimeMs,
    statSync(path.join(WEB_ROOT, "vite.config.ts")).mtimeMs,
  );
  return sourcesAt > builtAt;
}

/** Builds the web UI (`vite build`) when it is stale; throws with Vite's output when that fails. */
export function buildWebIfStale(): void {
  if (!isWebBuildStale()) return;
  const vite = path.join(WEB_ROOT, "..", "..", "node_modules", "vite", "bin", "vite.js");
  const result = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: WEB_ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`Building the web UI failed:\n${result.stdout}\n${result.stderr}`);
}

/** Vitest global setup of the e2e project: the tests drive the built UI the server serves. */
export default function setup(): void {
  buildWebIfStale();
}
