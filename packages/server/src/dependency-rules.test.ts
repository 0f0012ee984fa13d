import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The layout's rules as a test: the SDK imports nothing but zod and itself (it runs inside the
 * sandbox and the browser); the server's `core` does no I/O: it imports only core, the SDK and
 * zod; the adapters (db, providers, realtime, sandbox) import no other adapter, only core's
 * ports; the web imports no server code; no package has an import cycle. A module-level
 * `import`/`export … from` that breaks a rule fails here, naming it.
 */
const packagesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const statements = readFileSync(file, "utf8").match(/^(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gms) ?? [];
  return statements.map((statement) => /"([^"]+)"$/.exec(statement)![1]!);
}

function violations(folder: string, isAllowed: (specifier: string, file: string) => boolean): string[] {
  return sourceFiles(folder).flatMap((file) =>
    importsOf(file)
      .filter((specifier) => !isAllowed(specifier, file))
      .map((specifier) => `${path.relative(packagesDir, file)} imports ${specifier}`),
  );
}

/** The file paths an `exports` field points at (its string values, however nested). */
function targetsOf(exports: unknown): string[] {
  if (typeof exports === "string") return [exports];
  if (typeof exports === "object" && exports !== null) return Object.values(exports).flatMap(targetsOf);
  return [];
}

/** Every source file of every package, with the source files it imports (relative imports, type-only ones too). */
function importGraph(): Map<string, string[]> {
  const files = readdirSync(packagesDir).flatMap((name) => {
    const src = path.join(packagesDir, name, "src");
    return existsSync(src) ? sourceFiles(src).filter((file) => !file.endsWith(".d.ts")) : [];
  });
  const known = new Set(files);
  return new Map(
    files.map((file) => [
      file,
      importsOf(file)
        .filter((specifier) => specifier.startsWith("."))
        .map((specifier) => path.resolve(path.dirname(file), specifier))
        .filter((target) => known.has(target)),
    ]),
  );
}

/** The import cycles of a graph, each as the files around it (Tarjan's strongly connected components). */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(path.relative(packagesDir, member));
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

describe("dependency rules", () => {
  it("keeps the SDK free of Node built-ins and other packages", () => {
    const sdk = path.join(packagesDir, "sdk/src");
    expect(violations(sdk, (specifier) => specifier.startsWith(".") || specifier === "zod" || specifier.startsWith("zod/"))).toEqual([]);
  });

  it("keeps the server's core free of adapters and I/O", () => {
    const core = path.join(packagesDir, "server/src/core");
    const isInsideCore = (specifier: string, file: string) => path.resolve(path.dirname(file), specifier).startsWith(core);
    expect(
      violations(core, (specifier, file) =>
        specifier.startsWith(".") ? isInsideCore(specifier, file) : specifier === "zod" || specifier.startsWith("@sluice/sdk"),
      ),
    ).toEqual([]);
  });

  it("keeps the adapters apart: the database, the upstreams, the browser sessions and the sandbox meet only in core's ports", () => {
    const server = path.join(packagesDir, "server/src");
    const adapters = ["db", "providers", "realtime", "sandbox"];
    // What an adapter must not reach: another adapter, the HTTP layer, the workspace, or the composition root.
    const offLimits = [...adapters, "http", "workspace"].map((folder) => path.join(server, folder));
    const compositionRoot = path.join(server, "services.ts");
    const found = adapters.flatMap((adapter) =>
      violations(path.join(server, adapter), (specifier, file) => {
        if (!specifier.startsWith(".")) return true;
        const target = path.resolve(path.dirname(file), specifier);
        const ownFolder = path.join(server, adapter);
        if (target.startsWith(ownFolder + path.sep)) return true;
        return target !== compositionRoot && !offLimits.some((folder) => target.startsWith(folder + path.sep));
      }),
    );
    expect(found).toEqual([]);
  });

  it("keeps the web UI off server code: it shares types through the SDK", () => {
    const web = path.join(packagesDir, "web/src");
    expect(
      violations(
        web,
        (specifier, file) =>
          !specifier.includes("@sluice/server") &&
          !path.resolve(path.dirname(file), specifier).startsWith(path.join(packagesDir, "server")),
      ),
    ).toEqual([]);
  });

  it("points every package's exports at files that exist", () => {
    const missing = readdirSync(packagesDir).flatMap((name) => {
      const manifest = JSON.parse(readFileSync(path.join(packagesDir, name, "package.json"), "utf8")) as { exports?: unknown };
      return targetsOf(manifest.exports)
        .filter((target) => !target.includes("*") && !existsSync(path.join(packagesDir, name, target)))
        .map((target) => `${name}: ${target}`);
    });
    expect(missing).toEqual([]);
  });

  it("has no import cycle in any package (type-only imports count)", () => {
    expect(cyclesOf(importGraph())).toEqual([]);
  });

  it("finds the imports it checks", () => {
    // Guards the guard: the scanner must see real imports, or the rules above would pass vacuously.
    expect(importsOf(path.join(packagesDir, "server/src/core/completion-chunks.ts"))).toContain("@sluice/sdk");
    expect(importsOf(path.join(packagesDir, "sdk/src/index.ts"))).toContain("zod");
    // …and the cycle finder must find a cycle where there is one.
    expect(
      cyclesOf(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", ["a"]],
          ["d", ["a"]],
        ]),
      ),
    ).toEqual([["a", "b", "c"].map((file) => path.relative(packagesDir, file)).sort()]);
  });
});
