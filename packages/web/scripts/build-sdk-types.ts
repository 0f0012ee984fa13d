/**
 * Builds the type declarations the plugin editor loads into Monaco: `@sluice/sdk`'s `.d.ts`
 * (emitted from packages/sdk/src with the repository's TypeScript), the zod declarations they
 * import, and the sandbox's globals. Written as one JSON file of `{ [uri]: content }` that the
 * editor passes to `typescriptDefaults.addExtraLib`.
 *
 * The web build runs it through the Vite plugin in sdk-types-plugin.ts (module
 * `virtual:sluice-sdk-types`); to look at the bundle, `node scripts/build-sdk-types.ts out.json`.
 */
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const SCRIPTS_DIRECTORY = path.dirname(fileURLToPath(import.meta.url));
const REPOSITORY_ROOT = path.resolve(SCRIPTS_DIRECTORY, "../../..");
const SDK_SOURCE = path.join(REPOSITORY_ROOT, "packages/sdk/src");
const SDK_ENTRY = path.join(SDK_SOURCE, "index.ts");
const GLOBALS_PATH = path.join(SCRIPTS_DIRECTORY, "sandbox-globals.d.ts");

/** Where the editor's virtual file system keeps each library. */
export const SDK_TYPES_ROOT = "file:///node_modules/@sluice/sdk/";
export const ZOD_TYPES_ROOT = "file:///node_modules/zod/";
export const GLOBALS_URI = "file:///sluice-sandbox-globals.d.ts";

export interface SdkTypesBundle {
  /** TypeScript version that emitted the declarations. */
  typescriptVersion: string;
  /** `file:///…` URI to declaration text. */
  files: Record<string, string>;
}

/** `./chat-body.ts` → `./chat-body.js`, so the declarations resolve without `allowImportingTsExtensions`. */
function rewriteTsExtensions(declaration: string): string {
  return declaration.replace(/(from\s+|import\()(["'])(\.{1,2}\/[^"']+)\.ts\2/g, "$1$2$3.js$2");
}

function zodRelativePath(fileName: string): string | undefined {
  const marker = "/node_modules/zod/";
  const index = fileName.lastIndexOf(marker);
  if (index === -1) return undefined;
  const relative = fileName.slice(index + marker.length);
  // The package entry is found as `index.d.ts` by the editor's module resolution (no package.json there).
  return relative === "index.d.cts" ? "index.d.ts" : relative;
}

/**
 * Emits the SDK's declarations and collects the zod declarations the program needed.
 *
 * @example
 * const bundle = buildSdkTypes();
 * Object.keys(bundle.files).includes("file:///node_modules/@sluice/sdk/index.d.ts"); // true
 */
export function buildSdkTypes(): SdkTypesBundle {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2023.d.ts"],
    types: [],
    strict: true,
    declaration: true,
    emitDeclarationOnly: true,
    allowImportingTsExtensions: true,
    rewriteRelativeImportExtensions: true,
    skipLibCheck: true,
    rootDir: SDK_SOURCE,
    outDir: path.join(REPOSITORY_ROOT, "packages/web/.sdk-types"),
  };
  // The sandbox's web globals (URL, URLSearchParams, FormData, …) are what the SDK's own types refer to.
  const program = ts.createProgram([SDK_ENTRY, GLOBALS_PATH], options);
  const files: Record<string, string> = {};
  const result = program.emit(undefined, (fileName, text) => {
    if (!fileName.endsWith(".d.ts")) return;
    const relative = path.relative(options.outDir!, fileName).split(path.sep).join("/");
    files[SDK_TYPES_ROOT + relative] = rewriteTsExtensions(text);
  });
  const problems = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  if (problems.length > 0) {
    throw new Error(
      ts.formatDiagnostics(problems, {
        getCanonicalFileName: (name) => name,
        getCurrentDirectory: () => REPOSITORY_ROOT,
        getNewLine: () => "\n",
      }),
    );
  }
  for (const sourceFile of program.getSourceFiles()) {
    const relative = zodRelativePath(sourceFile.fileName);
    if (relative) files[ZOD_TYPES_ROOT + relative] = sourceFile.text;
  }
  if (!files[ZOD_TYPES_ROOT + "index.d.ts"]) throw new Error("zod's declarations were not found from packages/sdk");
  files[GLOBALS_URI] = readFileSync(GLOBALS_PATH, "utf8");
  return { typescriptVersion: ts.version, files };
}

/** Writes the bundle as JSON; returns its size in bytes. */
export function writeSdkTypes(outputPath: string): number {
  const json = JSON.stringify(buildSdkTypes());
  mkdirSync(path.dirname(outputPath), { recursive: true });
  writeFileSync(outputPath, json);
  return Buffer.byteLength(json);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!process.argv[2]) {
    console.error("usage: node scripts/build-sdk-types.ts <output.json>");
    process.exit(2);
  }
  const outputPath = path.resolve(process.argv[2]);
  const bytes = writeSdkTypes(outputPath);
  console.log(`SDK types: ${(bytes / 1024).toFixed(0)} KiB → ${path.relative(process.cwd(), outputPath)}`);
}
