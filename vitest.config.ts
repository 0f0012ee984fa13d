import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "examples/**/*.test.ts"],
    pool: "forks",
    // isolated-vm needs this on Node 20 and later.
    execArgv: ["--no-node-snapshot"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: server-booting test files each start a process of their own.
    maxWorkers: 2,
  },
});
