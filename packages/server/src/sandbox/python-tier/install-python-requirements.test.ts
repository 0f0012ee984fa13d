import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { PythonInterpreter } from "./find-python.ts";
import { installPythonRequirements } from "./install-python-requirements.ts";

// The cache of pip installs is trimmed like npm's (PLUGIN_DEPS_CACHE_MAX_MB). A stand-in
// interpreter answers `-m pip install --target <folder> ... -- <specs>` by writing 1000 bytes
// there, so the sizes are known and no package index is needed.

const workDir = mkdtempSync(path.join(tmpdir(), "sluice-python-deps-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const fakePython = path.join(workDir, "python");
writeFileSync(
  fakePython,
  `#!/bin/sh
while [ "$1" != "--target" ]; do shift; done
target="$2"
head -c 1000 /dev/zero > "$target/package.bin"
`,
);
chmodSync(fakePython, 0o755);
const python: PythonInterpreter = {
  executable: fakePython,
  version: "3.12.1",
  pydanticVersion: "2.9.0",
  prefix: "/usr",
  basePrefix: "/usr",
};

describe("pip requirements' cache", () => {
  it("keeps the cache under its size by removing the least recently used installs", async () => {
    const options = { cacheDir: path.join(workDir, "cache"), maxCacheBytes: 2600 };
    const first = await installPythonRequirements(["first"], python, options);
    const second = await installPythonRequirements(["second"], python, options);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await installPythonRequirements(["first"], python, options)).toBe(first); // reused: now the most recent
    const third = await installPythonRequirements(["third"], python, options);
    expect(existsSync(path.join(first, "package.bin"))).toBe(true);
    expect(existsSync(second)).toBe(false);
    expect(existsSync(path.join(third, "package.bin"))).toBe(true);
    // A removed list is installed again when a plugin needs it.
    expect(existsSync(path.join(await installPythonRequirements(["second"], python, options), "package.bin"))).toBe(true);
  });
});
