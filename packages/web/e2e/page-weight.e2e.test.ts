import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
/** The chat page's first-load script budget, gzip-compressed (docs: page weight). */
const FIRST_LOAD_BUDGET_BYTES = 300 * 1024;

/** The scripts a browser fetches before the app starts: the entry and the chunks Vite preloads with it (its static imports). */
function firstLoadScripts(): string[] {
  const html = readFileSync(path.join(DIST, "index.html"), "utf8");
  const entries = [...html.matchAll(/<script[^>]*type="module"[^>]*src="\/([^"]+)"/g)].map((match) => match[1]!);
  const preloads = [...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+)"/g)].map((match) => match[1]!);
  return [...entries, ...preloads];
}

// The e2e project's global setup builds packages/web/dist from the current sources first.
describe("the web UI's first load", () => {
  it("fetches under 300 KB of gzip-compressed script, without Monaco or Mermaid", () => {
    const scripts = firstLoadScripts();
    expect(scripts.length).toBeGreaterThan(0);
    const sizes = scripts.map((file) => {
      const code = readFileSync(path.join(DIST, file));
      return { file, code: code.toString("utf8"), gzipBytes: gzipSync(code, { level: 9 }).length };
    });
    const total = sizes.reduce((sum, script) => sum + script.gzipBytes, 0);
    const report = sizes.map((script) => `${script.file}: ${(script.gzipBytes / 1024).toFixed(1)} KB`).join(", ");
    expect(total, report).toBeLessThan(FIRST_LOAD_BUDGET_BYTES);
    for (const script of sizes) {
      // Monaco names its package in its module paths, Mermaid its diagram types; the entry may only hold the loaders that import them.
      expect(script.code, `${script.file} holds Monaco`).not.toContain("monaco-editor");
      expect(script.code, `${script.file} holds Mermaid`).not.toContain("flowchart-v2");
    }
  });
});
