import { defineConfig } from "vitest/config";

const serverTests = ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "examples/**/*.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: server-booting test files each start a process of their own.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "server",
          include: serverTests,
          exclude: ["packages/web/**", "**/node_modules/**"],
          pool: "forks",
          // isolated-vm needs this on Node 20 and later.
          execArgv: ["--no-node-snapshot"],
        },
      },
      {
        extends: true,
        test: {
          name: "web",
          // Component and logic tests of the web UI, in a simulated browser.
          include: ["packages/web/src/**/*.test.{ts,tsx}"],
          environment: "jsdom",
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          // Real Chromium against a real server; builds the web UI first when it is missing or stale.
          include: ["packages/web/e2e/**/*.e2e.test.ts"],
          pool: "forks",
          globalSetup: ["packages/web/e2e/build-web.ts"],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
