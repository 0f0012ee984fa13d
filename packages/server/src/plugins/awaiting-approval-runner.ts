import type { SluiceError } from "@sluice/sdk";
import type { PluginDescriptor, ValvesResult } from "@sluice/sdk/runtime";
import type { SandboxInvokeResult } from "../sandbox/host/parse-invoke-result.ts";
import type { StreamFilterSession } from "../sandbox/host/stream-filter-session.ts";
import type { PipeOutput } from "../sandbox/host/stream-pipe.ts";
import type { PluginRunner } from "../sandbox/plugin-runner.ts";

/**
 * What the save path holds for a trusted-tier plugin (`permissions: node`) that no admin has
 * approved yet: none of its code has run, and every call fails with the reason. It counts as
 * disposed, so the registry never serves it and loads the plugin again on use, which is refused
 * (PERMISSION_DENIED) until an admin approves it.
 */
export class AwaitingApprovalRunner implements PluginRunner {
  readonly pluginId: string;
  readonly descriptor: PluginDescriptor;
  readonly memoryLimitMb = 0;
  readonly timeoutMs = 0;
  readonly streamTimeoutMs = 0;
  readonly isDisposed = true;
  readonly isBroken = false;
  readonly activeInvocations = 0;
  readonly isInUse = false;
  readonly #reason: SluiceError;

  constructor(pluginId: string, descriptor: PluginDescriptor, reason: SluiceError) {
    this.pluginId = pluginId;
    this.descriptor = descriptor;
    this.#reason = reason;
  }

  validateValves(): Promise<ValvesResult> {
    return Promise.reject(this.#reason);
  }

  invoke(): Promise<SandboxInvokeResult> {
    return Promise.resolve({ ok: false, error: this.#reason });
  }

  async *streamPipe(): AsyncGenerator<PipeOutput, void, undefined> {
    throw this.#reason;
  }

  openStreamFilter(): StreamFilterSession {
    return { transform: () => this.#reason, close: () => {} };
  }

  hold(): () => void {
    return () => {};
  }

  dispose(): void {}

  disposeWhenIdle(): void {}
}
