import { formatLogValues } from "./format-log-values.ts";
import { installWebGlobals } from "./install-web-globals.ts";
import type { LogLevel, SluiceHost } from "./types.ts";

type TimerCallback = (...args: unknown[]) => void;

const MAX_RANDOM_BYTES = 65_536;

/**
 * Installs, on `target` (the isolate's `globalThis`), what plugins and npm packages expect and a
 * bare V8 context lacks, built over the host capabilities: `console` (→ `host.log`), `setTimeout`,
 * `setInterval`, `clearTimeout`, `clearInterval` (→ `host.sleep`), `queueMicrotask`, and
 * `crypto.getRandomValues` / `crypto.randomUUID` (→ `host.randomBytes`), and, when missing,
 * `TextEncoder`/`TextDecoder`, `atob`/`btoa`, `URL` (→ `host.parseUrl`) and `URLSearchParams`.
 * The runtime calls it at start-up when `globalThis.__sluice_host` exists.
 *
 * @example
 * installGlobals(globalThis.__sluice_host);
 */
export function installGlobals(host: SluiceHost, target: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): void {
  target.console = createConsole(host);
  Object.assign(target, createTimers(host));
  if (typeof target.queueMicrotask !== "function") {
    target.queueMicrotask = (callback: () => void) => {
      Promise.resolve()
        .then(callback)
        .catch((error: unknown) => host.log(null, "error", `Uncaught error in a microtask: ${formatLogValues([error])}`));
    };
  }
  const existing = (typeof target.crypto === "object" && target.crypto) || {};
  target.crypto = Object.assign(existing, createCrypto(host));
  installWebGlobals(host, target);
}

function createConsole(host: SluiceHost): Record<string, (...values: unknown[]) => void> {
  const write =
    (level: LogLevel) =>
    (...values: unknown[]) =>
      host.log(null, level, formatLogValues(values));
  const ignore = () => {};
  return {
    log: write("info"),
    info: write("info"),
    debug: write("debug"),
    trace: write("debug"),
    dir: write("info"),
    table: write("info"),
    warn: write("warn"),
    error: write("error"),
    assert: (condition: unknown, ...values: unknown[]) => {
      if (!condition) host.log(null, "error", `Assertion failed${values.length ? ": " + formatLogValues(values) : ""}`);
    },
    group: ignore,
    groupEnd: ignore,
    time: ignore,
    timeEnd: ignore,
    count: ignore,
  };
}

function createTimers(host: SluiceHost) {
  const active = new Set<number>();
  let lastId = 0;
  const run = (callback: TimerCallback, args: unknown[]) => {
    try {
      callback(...args);
    } catch (error) {
      host.log(null, "error", `Uncaught error in a timer callback: ${formatLogValues([error])}`);
    }
  };
  const toDelay = (delay: unknown) => Math.max(0, Number(delay) || 0);
  const check = (callback: unknown): TimerCallback => {
    if (typeof callback !== "function") throw new TypeError("The timer callback must be a function");
    return callback as TimerCallback;
  };
  return {
    setTimeout(callback: unknown, delay?: unknown, ...args: unknown[]): number {
      const fire = check(callback);
      const id = ++lastId;
      active.add(id);
      void host.sleep(toDelay(delay)).then((result) => {
        if (active.delete(id) && result?.ok) run(fire, args);
      });
      return id;
    },
    setInterval(callback: unknown, delay?: unknown, ...args: unknown[]): number {
      const fire = check(callback);
      const id = ++lastId;
      const milliseconds = Math.max(1, toDelay(delay));
      active.add(id);
      const schedule = (): void => {
        void host.sleep(milliseconds).then((result) => {
          if (!active.has(id) || !result?.ok) return void active.delete(id);
          run(fire, args);
          schedule();
        });
      };
      schedule();
      return id;
    },
    clearTimeout(id: unknown): void {
      active.delete(Number(id));
    },
    clearInterval(id: unknown): void {
      active.delete(Number(id));
    },
  };
}

function createCrypto(host: SluiceHost) {
  const getRandomValues = <T extends ArrayBufferView | null>(array: T): T => {
    if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array || array instanceof DataView) {
      throw new TypeError("crypto.getRandomValues expects an integer typed array");
    }
    if (array.byteLength > MAX_RANDOM_BYTES) {
      throw new RangeError(`crypto.getRandomValues: at most ${MAX_RANDOM_BYTES} bytes per call (asked for ${array.byteLength})`);
    }
    new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(host.randomBytes(array.byteLength));
    return array;
  };
  const randomUUID = (): string => {
    const bytes = getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  return { getRandomValues, randomUUID };
}
