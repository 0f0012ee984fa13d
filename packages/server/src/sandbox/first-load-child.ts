// The process behind `FirstLoadChecker`: loads plugin code into a fresh isolate, reports whether
// it loaded, and disposes it. A plugin that makes isolated-vm lose control of its isolate takes
// this process down instead of the server.
import { pino } from "pino";
import { exitAtOnce } from "../process/exit-at-once.ts";
import { PluginSandbox } from "./isolate/plugin-sandbox.ts";

interface CheckRequest {
  id: number;
  code: string;
  pluginId: string;
  memoryLimitMb?: number;
  timeoutMs?: number;
}

const logger = pino({ level: "silent" });

process.on("message", async (message) => {
  const request = message as CheckRequest;
  let answer: { id: number; ok: true } | { id: number; ok: false; code: string; message: string };
  try {
    const { sandbox } = await PluginSandbox.create(request.code, {
      pluginId: request.pluginId,
      memoryLimitMb: request.memoryLimitMb,
      timeoutMs: request.timeoutMs,
      host: {},
      logger,
      onCatastrophicError: (pluginId, reason) =>
        exitAtOnce(`isolated-vm lost control of plugin "${pluginId}" while checking it: ${reason}`),
    });
    sandbox.dispose();
    answer = { id: request.id, ok: true };
  } catch (error) {
    const known = error as { code?: unknown; message?: unknown };
    answer = { id: request.id, ok: false, code: String(known.code ?? "PLUGIN_LOAD_FAILED"), message: String(known.message ?? error) };
  }
  process.send!(answer);
});
process.on("disconnect", () => process.exit(0));
