import * as esbuild from "esbuild";
import { SluiceError } from "@sluice/sdk";

/** Imports a plugin may use; the sandbox's `require` provides them. */
const ALLOWED_IMPORT = /^(@sluice\/sdk|zod(\/.*)?)$/;

/** Why an import is refused, in words a plugin author can act on. */
function refusal(specifier: string): string {
  if (specifier.startsWith("node:") || NODE_BUILTINS.has(specifier.split("/")[0])) {
    return "plugins run in a sandbox without Node APIs";
  }
  if (specifier.startsWith("@sluice/sdk/")) {
    return specifier === "@sluice/sdk/testing"
      ? "the testing helpers run a plugin in your tests, not on the server; import them only from your test files"
      : 'plugins import "@sluice/sdk" itself';
  }
  if (specifier.startsWith(".") || specifier.startsWith("/")) {
    return "a plugin is a single file, relative imports have nothing to load";
  }
  return "plugins may import only @sluice/sdk and zod (npm requirements are not supported yet)";
}

const NODE_BUILTINS = new Set([
  "assert", "async_hooks", "buffer", "child_process", "cluster", "console", "constants", "crypto", "dgram",
  "diagnostics_channel", "dns", "domain", "events", "fs", "http", "http2", "https", "inspector", "module", "net",
  "os", "path", "perf_hooks", "process", "punycode", "querystring", "readline", "repl", "stream", "string_decoder",
  "sys", "timers", "tls", "trace_events", "tty", "url", "util", "v8", "vm", "wasi", "worker_threads", "zlib",
]);

const importPolicy: esbuild.Plugin = {
  name: "sluice-import-policy",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === "entry-point") return undefined;
      if (ALLOWED_IMPORT.test(args.path)) return { path: args.path, external: true };
      return { errors: [{ text: refusal(args.path), detail: args.path }] };
    });
  },
};

/** esbuild reports columns as 0-based UTF-8 byte offsets; editors count 1-based UTF-16 units. */
function editorColumn(location: esbuild.Location): number {
  return Buffer.from(location.lineText, "utf8").subarray(0, location.column).toString("utf8").length + 1;
}

function describeMessage(message: esbuild.Message): string {
  const where = message.location ? ` at line ${message.location.line}, column ${editorColumn(message.location)}` : "";
  if (message.pluginName === importPolicy.name) return `Import "${message.detail}"${where} is not allowed: ${message.text}`;
  return `Syntax error${where}: ${message.text}`;
}

/**
 * Compiles a plugin's TypeScript or JavaScript source into a CommonJS body for the sandbox
 * (contract: docs/internals/plugin-runtime.md §1). `@sluice/sdk` and `zod` stay external; any
 * other import is refused. Failures are PLUGIN_LOAD_FAILED with line and column in the source.
 *
 * esbuild's JS API keeps one service process alive after its first call, so later compiles
 * skip the start-up; {@link warmUpCompiler} starts it ahead of the first save.
 */
export async function compilePlugin(source: string): Promise<{ code: string }> {
  let result: esbuild.BuildResult<{ write: false }>;
  try {
    result = await esbuild.build({
      stdin: { contents: source, loader: "ts", sourcefile: "plugin.ts" },
      bundle: true,
      write: false,
      format: "cjs",
      platform: "neutral",
      target: "es2022",
      logLevel: "silent",
      plugins: [importPolicy],
    });
  } catch (error) {
    const messages = (error as esbuild.BuildFailure).errors;
    if (!Array.isArray(messages) || messages.length === 0) {
      throw new SluiceError("PLUGIN_LOAD_FAILED", `Could not compile the plugin: ${(error as Error).message}`, { cause: error });
    }
    throw new SluiceError("PLUGIN_LOAD_FAILED", messages.map(describeMessage).join("\n"), { cause: error });
  }
  return { code: result.outputFiles[0].text };
}

/** Starts esbuild's service so the first plugin save does not pay for it. */
export async function warmUpCompiler(): Promise<void> {
  await esbuild.transform("", { loader: "ts" });
}
