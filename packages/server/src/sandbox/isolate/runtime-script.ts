import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import ivm from "isolated-vm";
import { SluiceError } from "@sluice/sdk";
import { startCompiler } from "../../plugins/start-compiler.ts";

/** The name the runtime's exports get inside each isolate (docs/internals/plugin-runtime.md §2). */
export const RUNTIME_GLOBAL = "__sluice_runtime";

let bundle: Promise<string> | undefined;
// V8 code cache of the runtime bundle: compiling ~1 MB of SDK and zod again for every isolate
// would dominate a plugin's cold start, so the first compile produces it and later ones reuse it.
let cachedData: ivm.ExternalCopy<ArrayBuffer> | undefined;

function runtimeEntry(): string {
  try {
    return fileURLToPath(import.meta.resolve("@sluice/sdk/runtime"));
  } catch {
    // Test runners may not provide import.meta.resolve; the workspace layout is fixed.
    return fileURLToPath(new URL("../../../../sdk/src/runtime/index.ts", import.meta.url));
  }
}

async function buildBundle(): Promise<string> {
  await startCompiler();
  const result = await esbuild.build({
    entryPoints: [runtimeEntry()],
    bundle: true,
    write: false,
    format: "iife",
    globalName: RUNTIME_GLOBAL,
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2022",
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

/**
 * The runtime (SDK, zod and the in-isolate glue) bundled as one script, built once per process.
 * A failed build is not cached, so the next plugin load tries again.
 */
export function runtimeBundle(): Promise<string> {
  bundle ??= buildBundle().catch((error: unknown) => {
    bundle = undefined;
    throw new SluiceError("INTERNAL", `Could not build the plugin runtime: ${(error as Error).message}`, { cause: error });
  });
  return bundle;
}

/**
 * Compiles the runtime bundle in `isolate` (a Script belongs to the isolate that compiled it),
 * reusing the code cache from the first compile in this process.
 */
export async function compileRuntimeScript(isolate: ivm.Isolate): Promise<ivm.Script> {
  const code = await runtimeBundle();
  const script = (await isolate.compileScript(code, {
    filename: "sluice:runtime",
    ...(cachedData ? { cachedData } : { produceCachedData: true }),
  })) as ivm.Script & ivm.CachedDataResult & { cachedDataRejected?: boolean };
  if (script.cachedData) cachedData = script.cachedData;
  // A cache V8 refuses (another V8 build, flags) is dropped; the next compile produces a new one.
  else if (script.cachedDataRejected) cachedData = undefined;
  return script;
}
