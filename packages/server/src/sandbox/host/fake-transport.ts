import type { SluiceError } from "@sluice/sdk";
import type { PluginDescriptor } from "@sluice/sdk/runtime";
import { silentLogger } from "../sandbox-test-fixtures.ts";
import type { HostHandlers } from "../invocation-handlers.ts";
import { PluginHost } from "./plugin-host.ts";
import { failedError, unloadedError } from "./plugin-errors.ts";
import type {
  CallInfo,
  CallTiming,
  ChunkAnswer,
  PluginConnection,
  PluginTransport,
  RuntimeCall,
  RuntimeNotice,
  TransportHost,
} from "./plugin-transport.ts";

// An in-memory transport for the host core's tests (not part of the server): each test says how
// the "plugin" answers, and reads what the host sent it.

export const FILTER_DESCRIPTOR = { kind: "filter", hooks: ["inlet", "stream", "outlet"] } as unknown as PluginDescriptor;

/** Answers a runtime call with JSON text (or a promise of it); a throw is a failure of the transport. */
export type FakeAnswer = (method: RuntimeCall, args: unknown[]) => string | Promise<string>;

export class FakeTransport implements PluginTransport, PluginConnection {
  readonly host: TransportHost;
  readonly descriptor: PluginDescriptor;
  isDisposed = false;
  isBroken = false;
  pipelinesChunks = true;
  /** What the host called, in order. */
  readonly calls: Array<{ method: RuntimeCall; args: unknown[] }> = [];
  /** What the host notified, in order. */
  readonly notices: Array<{ method: RuntimeNotice; args: unknown[] }> = [];
  answer: FakeAnswer = () => new Promise(() => {});
  /** Answers a stream chunk; default: the chunk unchanged. */
  answerChunk: (sessionId: string, sequence: number, json: string) => Promise<ChunkAnswer> = async (_sessionId, _sequence, json) => json;
  /** What `confirmTimeout` resolves with; default: the plugin answered (undefined). */
  confirm: (call: CallInfo) => Promise<SluiceError | undefined> = async () => undefined;
  readonly timedOut: CallInfo[] = [];
  /**
   * When the call's own time starts (`CallTiming`): at hand-over (default), or when the test
   * calls the function kept in {@link startCall} (a transport whose plugin still runs the call's
   * synchronous part).
   */
  startsAtOnce = true;
  startCall: (() => void) | undefined;

  constructor(host: TransportHost, descriptor: PluginDescriptor) {
    this.host = host;
    this.descriptor = descriptor;
  }

  async load(): Promise<PluginDescriptor> {
    return this.descriptor;
  }

  connect(hook: string): PluginConnection {
    if (this.isDisposed) throw unloadedError({ pluginId: this.host.pluginId, hook });
    return this;
  }

  describeFailure(error: unknown, call: CallInfo): SluiceError {
    return failedError({ pluginId: this.host.pluginId, hook: call.hook }, error);
  }

  dispose(): void {
    this.isDisposed = true;
  }

  async call(method: RuntimeCall, args: unknown[], _timeoutMs?: number, timing?: CallTiming): Promise<string> {
    this.calls.push({ method, args });
    this.#started(timing?.started);
    return this.answer(method, args);
  }

  notify(method: RuntimeNotice, args: unknown[]): void {
    this.notices.push({ method, args });
  }

  streamChunk(sessionId: string, sequence: number, json: string, _timeoutMs?: number, started?: () => void): Promise<ChunkAnswer> {
    this.#started(started);
    return this.answerChunk(sessionId, sequence, json);
  }

  #started(started: (() => void) | undefined): void {
    if (this.startsAtOnce) started?.();
    else this.startCall = started;
  }

  confirmTimeout(call: CallInfo): Promise<SluiceError | undefined> {
    this.timedOut.push(call);
    return this.confirm(call);
  }
}

/** A PluginHost over a FakeTransport, loaded. */
export class FakePluginHost extends PluginHost {
  readonly transport: FakeTransport;

  private constructor(descriptor: PluginDescriptor, options: { timeoutMs?: number; streamTimeoutMs?: number; host?: HostHandlers }) {
    let transport: FakeTransport | undefined;
    super(
      {
        pluginId: "fake",
        memoryLimitMb: 64,
        timeoutMs: options.timeoutMs ?? 200,
        streamTimeoutMs: options.streamTimeoutMs ?? 50,
        host: options.host ?? {},
        logger: silentLogger,
      },
      (host) => (transport = new FakeTransport(host, descriptor)),
    );
    this.transport = transport!;
  }

  static async create(
    options: { descriptor?: PluginDescriptor; timeoutMs?: number; streamTimeoutMs?: number; host?: HostHandlers } = {},
  ): Promise<FakePluginHost> {
    const host = new FakePluginHost(options.descriptor ?? FILTER_DESCRIPTOR, options);
    await host.loadPlugin();
    return host;
  }
}
