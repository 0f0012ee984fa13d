import { realpathSync } from "node:fs";
import path from "node:path";
import type * as esbuild from "esbuild";
import { packageNameOf } from "./parse-requirements.ts";
import type { PluginDependencies } from "./plugin-dependencies.ts";

/** The files a bundled requirement may consist of: code and JSON, never text, binaries or data. */
const LOADABLE_FILE = /\.(js|mjs|cjs|jsx|ts|mts|cts|tsx|json)$/i;
const CONFINED = Symbol.for("sluice.confined-resolve");

function realFolder(folder: string): string {
  try {
    return realpathSync(folder) + path.sep;
  } catch {
    return folder + path.sep;
  }
}

function isInside(file: string, folder: string): boolean {
  try {
    return realpathSync(file).startsWith(folder);
  } catch {
    return false;
  }
}

/** Import attributes (`with { type: "text" }`) would switch esbuild to loaders that read any file as data. */
export function hasImportAttributes(args: { with?: Record<string, string> }): boolean {
  return args.with !== undefined && Object.keys(args.with).length > 0;
}

/**
 * Keeps a plugin's bundle to the packages its `requirements` installed: `resolveConfined` resolves
 * an import the way esbuild would and refuses a result outside the package it names (`ms/../../x`
 * and symbolic links resolve outside), and the `onLoad` guard refuses to read any file outside the
 * requirements' `node_modules` or that is not code or JSON. Refusals name the import, never the
 * contents of a file.
 */
export function confineImports(
  build: esbuild.PluginBuild,
  dependencies: PluginDependencies | undefined,
  policyName: string,
): {
  resolveConfined(args: esbuild.OnResolveArgs): Promise<esbuild.OnResolveResult>;
} {
  const modulesFolder = dependencies ? path.join(dependencies.folder, "node_modules") : undefined;
  const realModules = modulesFolder ? realFolder(modulesFolder) : undefined;

  build.onLoad({ filter: /.*/ }, (args) => {
    if (args.namespace !== "file") return undefined;
    const refuse = (text: string) => ({ errors: [{ text, pluginName: policyName, detail: path.basename(args.path) }] });
    if (hasImportAttributes(args)) return refuse("import attributes (with { type: … }) are not allowed");
    if (!realModules || !isInside(args.path, realModules))
      return refuse("only files of the packages listed under requirements can be bundled");
    if (!LOADABLE_FILE.test(args.path))
      return refuse(`only code and JSON can be bundled, not ${path.extname(args.path) || "extension-less"} files`);
    return undefined;
  });

  return {
    async resolveConfined(args) {
      if (!modulesFolder || !realModules)
        return { errors: [{ text: "this plugin has no requirements to import from", detail: args.path }] };
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        namespace: args.namespace,
        pluginData: CONFINED,
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors.map((error) => ({ text: error.text, detail: args.path })) };
      if (resolved.external) return { path: resolved.path, external: true };
      const fromPlugin = !args.importer.startsWith(modulesFolder + path.sep) && !args.importer.startsWith(realModules);
      const allowed = fromPlugin ? realFolder(path.join(modulesFolder, packageNameOf(args.path))) : realModules;
      if (!isInside(resolved.path, allowed)) {
        return {
          errors: [
            {
              text: `it resolves outside ${fromPlugin ? `the package ${packageNameOf(args.path)}` : "the installed requirements"}`,
              detail: args.path,
            },
          ],
        };
      }
      return { path: resolved.path, namespace: resolved.namespace, sideEffects: resolved.sideEffects };
    },
  };
}

/** True for the inner `build.resolve` of {@link confineImports}, which must fall through to esbuild. */
export function isConfinedResolve(args: esbuild.OnResolveArgs): boolean {
  return args.pluginData === CONFINED;
}
