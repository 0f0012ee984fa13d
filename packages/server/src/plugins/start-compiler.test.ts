import { readdirSync, readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { startCompiler } from "./start-compiler.ts";

// Security issue, point 1: esbuild, which reads plugin imports, inherited the server's environment.
it("esbuild's service runs without the server's environment", async () => {
  process.env.SLUICE_TEST_SECRET = "do-not-pass-me-on";
  await startCompiler();
  expect(process.env.SLUICE_TEST_SECRET).toBe("do-not-pass-me-on");
  const children = readdirSync("/proc").filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      return readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ")[1] === String(process.pid);
    } catch {
      return false;
    }
  });
  const esbuild = children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("esbuild"));
  expect(esbuild).toBeDefined();
  const environment = readFileSync(`/proc/${esbuild}/environ`, "utf8").split("\0").filter(Boolean);
  expect(environment.map((entry) => entry.split("=")[0])).toEqual(["PATH"]);
});
