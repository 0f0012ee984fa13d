/**
 * TypeScript settings of the plugin editor's language service, matching how the server compiles
 * plugins: ES modules, strict, the ES2023 library without the DOM (the sandbox has no `document`
 * or global `fetch`; its own globals come with the SDK types bundle). Numbers are TypeScript's
 * enum values, so Monaco and the `typescript` package both take this object.
 */
export const EDITOR_COMPILER_OPTIONS = {
  /** ES2022 */
  target: 9,
  /** ESNext */
  module: 99,
  /** Node10: finds `node_modules/@sluice/sdk/index.d.ts` in the editor's virtual files. */
  moduleResolution: 2,
  lib: ["lib.es2023.d.ts"],
  strict: true,
  noEmit: true,
  allowNonTsExtensions: true,
  isolatedModules: true,
  esModuleInterop: true,
  skipLibCheck: true,
  types: [] as string[],
};

/** The URI of the model the editor edits; a `.ts` file at the root of the virtual file system. */
export const PLUGIN_MODEL_URI = "file:///plugin.ts";
