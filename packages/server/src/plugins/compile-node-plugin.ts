import { isBuiltin } from "node:module";
import path from "node:path";
import * as esbuild from "esbuild";
import { SluiceError } from "@sluice/sdk";
import type { PluginDependencies } from "./compile-plugin.ts";
import { confineImports, hasImportAttributes, isConfinedResolve } from "./confine-imports.ts";
import { describeRequirementMessage, PLUGIN_FILE } from "./describe-requirement-message.ts";
import { packageNameOf } from "./parse-requirements.ts";
import { startCompiler } from "./start-compiler.ts";

const RUNTIME_IMPORT = /^(@sluice\/sdk|zod)(\/.*)?$/;
const IMPORT_POLICY = "sluice-node-import-policy";

/** esbuild reports columns as 0-based UTF-8 byte offsets; editors count 1-based UTF-16 units. */
function editorColumn(location: esbuild.Location): number {
  return Buffer.from(location.lineText, "utf8").subarray(0, location.column).toString("utf8").length + 1;
}

function describeMessage(message: esbuild.Message): string {
  const where = message.location ? ` at line ${message.location.line}, column ${editorColumn(message.location)}` : "";
  const file = message.location?.file;
  if (message.pluginName === IMPORT_POLICY) {
    if (file?.includes("node_modules")) return message.text;
    return `Import "${message.detail}"${where} is not allowed: ${message.text}`;
  }
  if (file && file !== PLUGIN_FILE) return describeRequirementMessage(message);
  return `Syntax error${where}: ${message.text}`;
}

// Node built-ins, @sluice/sdk and zod stay `require` calls, answered in the plugin's process; the
// packages of its requirements are bundled in (its process cannot read the server's folders).
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
        if (isBuiltin(args.path) || RUNTIME_IMPORT.test(args.path)) return { path: args.path, external: true };
        if (modulesFolder && args.importer.startsWith(modulesFolder)) return resolveConfined(args);
        if (/^[./]/.test(args.path))
          return { errors: [{ text: "a plugin is a single file, relative imports have nothing to load", detail: args.path }] };
        if (dependencies?.names.includes(packageNameOf(args.path))) return resolveConfined(args);
        return {
          errors: [
            {
              text: `list the npm package under "requirements" in the frontmatter (add ${packageNameOf(args.path)} there)`,
              detail: args.path,
            },
          ],
        };
      });
    },
  };
}

/**
 * Compiles a trusted-tier plugin (`permissions: node`) into a CommonJS body for its Node.js
 * process: TypeScript is stripped; Node built-ins (`node:fs`, `fs`, …), `@sluice/sdk` and `zod`
 * stay `require` calls; the packages of its installed requirements (`dependencies`) are bundled
 * in, Node built-ins allowed. Compiling runs none of the plugin's code. Failures are
 * PLUGIN_LOAD_FAILED with line and column in the source.
 *
 * @example
 * const { code } = await compileNodePlugin('import fs from "node:fs"; …');
 */
export async function compileNodePlugin(source: string, options: { dependencies?: PluginDependencies } = {}): Promise<{ code: string }> {
  const { dependencies } = options;
  await startCompiler();
  try {
    const result = await esbuild.build({
      stdin: { contents: source, loader: "ts", sourcefile: PLUGIN_FILE, ...(dependencies && { resolveDir: dependencies.folder }) },
      tsconfigRaw: {},
      bundle: true,
      write: false,
      format: "cjs",
      platform: "node",
      target: "node24",
      logLevel: "silent",
      plugins: [importPolicy(dependencies)],
    });
    return { code: result.outputFiles[0].text };
  } catch (error) {
    const messages = (error as esbuild.BuildFailure).errors;
    if (!Array.isArray(messages) || messages.length === 0) {
      throw new SluiceError("PLUGIN_LOAD_FAILED", `Could not compile the plugin: ${(error as Error).message}`, { cause: error });
    }
    throw new SluiceError("PLUGIN_LOAD_FAILED", messages.map(describeMessage).join("\n"), { cause: error });
  }
}
