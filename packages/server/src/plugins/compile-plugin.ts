import path from "node:path";
import * as esbuild from "esbuild";
import { SluiceError } from "@sluice/sdk";
import { confineImports, hasImportAttributes, isConfinedResolve } from "./confine-imports.ts";
import { describeRequirementMessage, PLUGIN_FILE } from "./describe-requirement-message.ts";
import { packageNameOf } from "./parse-requirements.ts";
import { startCompiler } from "./start-compiler.ts";
import type { PluginDependencies } from "./plugin-dependencies.ts";

export type { PluginDependencies } from "./plugin-dependencies.ts";

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
  return `plugins may import only @sluice/sdk, zod and the packages listed under "requirements" in their frontmatter (add ${packageNameOf(specifier)} there)`;
}

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || NODE_BUILTINS.has(specifier.split("/")[0]!);
}

const NODE_BUILTINS = new Set([
  "assert",
  "async_hooks",
  "buffer",
  "child_process",
  "cluster",
  "console",
  "constants",
  "crypto",
  "dgram",
  "diagnostics_channel",
  "dns",
  "domain",
  "events",
  "fs",
  "http",
  "http2",
  "https",
  "inspector",
  "module",
  "net",
  "os",
  "path",
  "perf_hooks",
  "process",
  "punycode",
  "querystring",
  "readline",
  "repl",
  "stream",
  "string_decoder",
  "sys",
  "timers",
  "tls",
  "trace_events",
  "tty",
  "url",
  "util",
  "v8",
  "vm",
  "wasi",
  "worker_threads",
  "zlib",
]);

const IMPORT_POLICY = "sluice-import-policy";

/**
 * The plugin may import the SDK and zod (left to the sandbox's `require`) and the packages of its
 * requirements, which may import each other and their own files, but no Node built-in.
 */
function importPolicy(dependencies: PluginDependencies | undefined): esbuild.Plugin {
  const modulesFolder = dependencies ? path.join(dependencies.folder, "node_modules") + path.sep : undefined;
  return {
    name: IMPORT_POLICY,
    setup(build) {
      const { resolveConfined } = confineImports(build, dependencies, IMPORT_POLICY);
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point" || isConfinedResolve(args)) return undefined;
        if (hasImportAttributes(args))
          return { errors: [{ text: "import attributes (with { type: … }) are not allowed", detail: args.path }] };
        if (ALLOWED_IMPORT.test(args.path)) return { path: args.path, external: true };
        if (modulesFolder && args.importer.startsWith(modulesFolder)) {
          if (!isNodeBuiltin(args.path)) return resolveConfined(args);
          const from = args.importer.slice(modulesFolder.length);
          const text =
            `The package ${packageNameOf(from)} imports the Node built-in "${args.path}" (in ${from}), which the sandbox does not have; ` +
            "choose a package that runs in browsers, or run the plugin in the trusted tier (permissions: node)";
          return { errors: [{ text, detail: args.path }] };
        }
        if (
          dependencies &&
          !isNodeBuiltin(args.path) &&
          !/^[./]/.test(args.path) &&
          dependencies.names.includes(packageNameOf(args.path))
        ) {
          return resolveConfined(args);
        }
        return { errors: [{ text: refusal(args.path), detail: args.path }] };
      });
    },
  };
}

/** esbuild reports columns as 0-based UTF-8 byte offsets; editors count 1-based UTF-16 units. */
function editorColumn(location: esbuild.Location): number {
  return Buffer.from(location.lineText, "utf8").subarray(0, location.column).toString("utf8").length + 1;
}

function describeMessage(message: esbuild.Message): string {
  const where = message.location ? ` at line ${message.location.line}, column ${editorColumn(message.location)}` : "";
  const file = message.location?.file;
  if (message.pluginName === IMPORT_POLICY) {
    // A refusal inside a dependency: its message names the package and file.
    if (file?.includes("node_modules")) return message.text;
    return `Import "${message.detail}"${where} is not allowed: ${message.text}`;
  }
  if (file && file !== PLUGIN_FILE) return describeRequirementMessage(message);
  return `Syntax error${where}: ${message.text}`;
}

/**
 * Compiles a plugin's TypeScript or JavaScript source into a CommonJS body for the sandbox
 * (contract: docs/internals/plugin-runtime.md §1). `@sluice/sdk` and `zod` stay external; the
 * packages of its installed requirements (`dependencies`) are bundled in; any other import, and a
 * requirement that needs a Node built-in, is refused. Failures are PLUGIN_LOAD_FAILED with line
 * and column in the source.
 *
 * esbuild's JS API keeps one service process alive after its first call, so later compiles
 * skip the start-up; {@link warmUpCompiler} starts it ahead of the first save.
 */
export async function compilePlugin(source: string, options: { dependencies?: PluginDependencies } = {}): Promise<{ code: string }> {
  const { dependencies } = options;
  await startCompiler();
  let result: esbuild.BuildResult<{ write: false }>;
  try {
    result = await esbuild.build({
      // Bare imports resolve in the requirements' folder.
      stdin: { contents: source, loader: "ts", sourcefile: PLUGIN_FILE, ...(dependencies && { resolveDir: dependencies.folder }) },
      // No tsconfig.json from the folders above the requirements is read.
      tsconfigRaw: {},
      bundle: true,
      write: false,
      format: "cjs",
      platform: "neutral",
      mainFields: ["module", "main"],
      target: "es2022",
      logLevel: "silent",
      plugins: [importPolicy(dependencies)],
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
  await startCompiler();
}
