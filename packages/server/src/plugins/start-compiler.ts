import * as esbuild from "esbuild";

let started: Promise<void> | undefined;

/**
 * Starts esbuild's service process (which every later `build` and `transform` of this process
 * reuses) with an environment holding only `PATH`, so the compiler of plugin code never holds the
 * server's secrets (`WEBUI_SECRET_KEY`, `DATABASE_URL`, API keys) in its `/proc/<pid>/environ`.
 * Every module that calls esbuild awaits this first.
 */
export function startCompiler(): Promise<void> {
  if (!started) {
    const environment = process.env;
    // esbuild spawns its service synchronously inside the first call, with `process.env` as it is then.
    process.env = { PATH: environment.PATH ?? "" };
    try {
      started = esbuild.transform("", { loader: "ts" }).then(() => undefined);
    } finally {
      process.env = environment;
    }
    started.catch(() => {
      started = undefined;
    });
  }
  return started;
}
