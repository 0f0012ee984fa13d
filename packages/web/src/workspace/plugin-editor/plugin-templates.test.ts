// @vitest-environment node
import path from "node:path";
import { createRequire } from "node:module";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { buildSdkTypes, type SdkTypesBundle } from "../../../scripts/build-sdk-types.ts";
import { EDITOR_COMPILER_OPTIONS } from "./editor-compiler-options.ts";
import { PLUGIN_TEMPLATES } from "./plugin-templates.ts";

const LIB_DIRECTORY = path.dirname(createRequire(import.meta.url).resolve("typescript"));
const PLUGIN_PATH = "/plugin.ts";

/** A language service over the editor's virtual files, as Monaco's TypeScript worker sees them. */
function createEditorService(bundle: SdkTypesBundle, source: () => string): ts.LanguageService {
  const files = new Map(Object.entries(bundle.files).map(([uri, text]) => [uri.replace("file://", ""), text]));
  const read = (fileName: string): string | undefined => {
    if (fileName === PLUGIN_PATH) return source();
    if (files.has(fileName)) return files.get(fileName);
    if (path.basename(fileName).startsWith("lib.")) return ts.sys.readFile(path.join(LIB_DIRECTORY, path.basename(fileName)));
    return undefined;
  };
  let version = 0;
  let lastSource = "";
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => EDITOR_COMPILER_OPTIONS as unknown as ts.CompilerOptions,
    getScriptFileNames: () => [PLUGIN_PATH, ...files.keys()],
    getScriptVersion: (fileName) => {
      if (fileName !== PLUGIN_PATH) return "1";
      if (source() !== lastSource) {
        lastSource = source();
        version += 1;
      }
      return String(version);
    },
    getScriptSnapshot: (fileName) => {
      const text = read(fileName);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => "/",
    getDefaultLibFileName: (options) => path.join(LIB_DIRECTORY, ts.getDefaultLibFileName(options)),
    readFile: read,
    fileExists: (fileName) => read(fileName) !== undefined,
  };
  return ts.createLanguageService(host);
}

function diagnosticsOf(service: ts.LanguageService): string[] {
  return [...service.getSyntacticDiagnostics(PLUGIN_PATH), ...service.getSemanticDiagnostics(PLUGIN_PATH)].map(
    (diagnostic) => `${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`,
  );
}

describe("plugin templates against the editor's SDK types", () => {
  let bundle: SdkTypesBundle;
  let source = "";
  let service: ts.LanguageService;
  beforeAll(() => {
    bundle = buildSdkTypes();
    service = createEditorService(bundle, () => source);
  });

  it("bundles the SDK, zod and the sandbox globals", () => {
    expect(Object.keys(bundle.files)).toEqual(
      expect.arrayContaining([
        "file:///node_modules/@sluice/sdk/index.d.ts",
        "file:///node_modules/@sluice/sdk/plugin-context.d.ts",
        "file:///node_modules/zod/index.d.ts",
        "file:///sluice-sandbox-globals.d.ts",
      ]),
    );
    expect(bundle.files["file:///node_modules/@sluice/sdk/index.d.ts"]).toContain('from "./define-filter.js"');
  });

  for (const [kind, template] of Object.entries(PLUGIN_TEMPLATES)) {
    it(`type-checks the ${kind} template without errors`, () => {
      source = template;
      expect(diagnosticsOf(service)).toEqual([]);
    });
  }

  it("reports a wrong member of ctx and the DOM's absence", () => {
    source = PLUGIN_TEMPLATES.filter.replace("return body;", "ctx.nope(); document.title = 'x'; return body;");
    const diagnostics = diagnosticsOf(service);
    expect(diagnostics).toContainEqual(expect.stringMatching(/^2339: Property 'nope' does not exist on type 'PluginContext/));
    expect(diagnostics).toContainEqual(expect.stringMatching(/^2584: Cannot find name 'document'/));
  });

  it("types ctx.valves from the zod schema and completes ctx.", () => {
    source = PLUGIN_TEMPLATES.filter.replace("return body;", "const text: string = ctx.valves.maxTurns; ctx.\n    return body;");
    expect(diagnosticsOf(service)).toContainEqual(expect.stringMatching(/^2322: Type 'number' is not assignable to type 'string'/));
    const position = source.indexOf("ctx.\n") + "ctx.".length;
    const names = service.getCompletionsAtPosition(PLUGIN_PATH, position, {})?.entries.map((entry) => entry.name);
    expect(names).toEqual(expect.arrayContaining(["emit", "call", "valves", "user", "metadata", "fetch", "log", "signal"]));
  });
});
