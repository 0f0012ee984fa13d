import { pino } from "pino";
import type { InvokeRequest } from "@sluice/sdk/runtime";
import { compilePlugin } from "../plugins/compile-plugin.ts";
import { PluginSandbox, type PluginSandboxOptions } from "./isolate/plugin-sandbox.ts";

// Helpers for the sandbox's tests (not part of the server).

export const silentLogger = pino({ level: "silent" });

/** Compiles `source` and loads it into a sandbox; `track` collects sandboxes to dispose after the tests. */
export async function sandboxFor(
  source: string,
  options: Partial<PluginSandboxOptions> = {},
  track?: PluginSandbox[],
): Promise<PluginSandbox> {
  const { code } = await compilePlugin(source);
  const { sandbox } = await PluginSandbox.create(code, { pluginId: "test_plugin", host: {}, logger: silentLogger, ...options });
  track?.push(sandbox);
  return sandbox;
}

export const testContext: InvokeRequest["context"] = {
  id: "test_plugin",
  user: { id: "u1", name: "Ada", email: "ada@example.com", role: "user" },
  valves: {},
  userValves: {},
  metadata: { chat_id: "c1" },
  canCall: true,
};

/** An invoke request for `hook` with the test context. */
export function testRequest(
  hook: InvokeRequest["hook"],
  payload: unknown = {},
  extra: Partial<InvokeRequest> = {},
): Omit<InvokeRequest, "invocationId"> {
  return { hook, payload, context: testContext, ...extra };
}

export function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Largest gap between ticks of a 5 ms interval while `work` runs: how long the event loop was blocked. */
export async function eventLoopBlockedMs(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  try {
    await work();
    await delay(10);
  } finally {
    clearInterval(timer);
  }
  return worst;
}
