import type * as Monaco from "monaco-editor";
import { EDITOR_COMPILER_OPTIONS } from "./editor-compiler-options.ts";

export type MonacoApi = typeof Monaco;

let loading: Promise<MonacoApi> | undefined;

async function load(): Promise<MonacoApi> {
  const [monaco, { default: EditorWorker }, { default: TypeScriptWorker }, { default: sdkTypes }] = await Promise.all([
    import("monaco-editor"),
    import("monaco-editor/editor/editor.worker.js?worker"),
    import("monaco-editor/language/typescript/ts.worker.js?worker"),
    import("virtual:sluice-sdk-types"),
  ]);
  self.MonacoEnvironment = {
    getWorker: (_workerId: string, label: string) =>
      label === "typescript" || label === "javascript" ? new TypeScriptWorker() : new EditorWorker(),
  };
  const defaults = monaco.typescript.typescriptDefaults;
  defaults.setCompilerOptions(EDITOR_COMPILER_OPTIONS as unknown as Monaco.typescript.CompilerOptions);
  defaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
  defaults.setExtraLibs(Object.entries(sdkTypes.files).map(([filePath, content]) => ({ filePath, content })));
  // Extra libs are in the worker from the start, so `ctx.` completes on the first keystroke.
  defaults.setEagerModelSync(true);
  return monaco;
}

/**
 * Loads Monaco once (its own chunks, with the TypeScript worker) and gives its TypeScript service
 * the `@sluice/sdk` types, so plugin code gets completions and type errors while typing.
 */
export function loadMonaco(): Promise<MonacoApi> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
