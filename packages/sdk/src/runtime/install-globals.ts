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

interface Timer {
  id: number;
  /** When it is due, on the isolate's clock (ms). */
  due: number;
  /** Order of creation: timers due at the same time fire in the order set. */
  sequence: number;
  fire: TimerCallback;
  args: unknown[];
  /** A `setInterval`'s period (ms); undefined for a `setTimeout`. */
  every?: number;
}

/**
 * The timers keep their own queue and ask the host for one sleep at a time, until the earliest
 * timer: every timer due by the time that sleep ends fires in the same crossing, and a timer due
 * later than one already asked for costs no crossing at all. (One `host.sleep` per timer cost two
 * crossings per timer: hundreds of chats whose pipe paces its chunks with timers made thousands a
 * second.) When a sleep ends, the host's word that its time has passed counts even if the
 * isolate's clock lags behind. A timer that sets another one due at once does not fire it in the
 * same turn: it waits for the next sleep, as in Node, so a loop of timers cannot hold the isolate.
 */
function createTimers(host: SluiceHost) {
  const active = new Map<number, Timer>();
  const queue: Timer[] = []; // a binary heap on (due, sequence); cleared timers are skipped when reached
  /** Ends of the host sleeps asked for and not over yet. */
  const asked: number[] = [];
  let lastId = 0;
  let lastSequence = 0;
  const before = (a: Timer, b: Timer) => a.due < b.due || (a.due === b.due && a.sequence < b.sequence);
  const push = (timer: Timer): void => {
    queue.push(timer);
    for (let index = queue.length - 1; index > 0;) {
      const parent = (index - 1) >> 1;
      if (!before(queue[index]!, queue[parent]!)) break;
      [queue[index], queue[parent]] = [queue[parent]!, queue[index]!];
      index = parent;
    }
  };
  const pop = (): Timer => {
    const top = queue[0]!;
    const last = queue.pop()!;
    if (queue.length > 0) {
      queue[0] = last;
      for (let index = 0; ;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let least = index;
        if (left < queue.length && before(queue[left]!, queue[least]!)) least = left;
        if (right < queue.length && before(queue[right]!, queue[least]!)) least = right;
        if (least === index) break;
        [queue[index], queue[least]] = [queue[least]!, queue[index]!];
        index = least;
      }
    }
    return top;
  };
  const run = (callback: TimerCallback, args: unknown[]) => {
    try {
      callback(...args);
    } catch (error) {
      host.log(null, "error", `Uncaught error in a timer callback: ${formatLogValues([error])}`);
    }
  };
  /** Asks the host to wake the timers at the earliest one's time, unless a sleep already ends by then. */
  const arm = (): void => {
    while (queue.length > 0 && !active.has(queue[0]!.id)) pop();
    if (queue.length === 0) return;
    const due = queue[0]!.due;
    if (asked.some((end) => end <= due)) return;
    asked.push(due);
    void host.sleep(Math.max(due - Date.now(), 0)).then((result) => {
      asked.splice(asked.indexOf(due), 1);
      // A failed sleep (the host's limit on pending timers) wakes nothing; the next timer set asks again.
      if (!result?.ok) return;
      wake(Math.max(Date.now(), due));
      arm();
    });
  };
  const wake = (now: number): void => {
    // Taken out before any callback runs: a timer a callback sets waits for the next sleep.
    const due: Timer[] = [];
    while (queue.length > 0 && queue[0]!.due <= now) {
      const timer = pop();
      if (active.get(timer.id) === timer) due.push(timer);
    }
    for (const timer of due) {
      if (active.get(timer.id) !== timer) continue; // cleared by a timer that fired before it
      if (timer.every === undefined) active.delete(timer.id);
      else {
        const next = { ...timer, due: now + timer.every, sequence: ++lastSequence };
        active.set(timer.id, next);
        push(next);
      }
      run(timer.fire, timer.args);
    }
  };
  const add = (callback: unknown, delay: number, args: unknown[], every?: number): number => {
    const fire = check(callback);
    const timer: Timer = { id: ++lastId, due: Date.now() + delay, sequence: ++lastSequence, fire, args, every };
    active.set(timer.id, timer);
    push(timer);
    arm();
    return timer.id;
  };
  const toDelay = (delay: unknown) => Math.max(0, Number(delay) || 0);
  const check = (callback: unknown): TimerCallback => {
    if (typeof callback !== "function") throw new TypeError("The timer callback must be a function");
    return callback as TimerCallback;
  };
  const clear = (id: unknown): void => {
    active.delete(Number(id));
  };
  return {
    setTimeout: (callback: unknown, delay?: unknown, ...args: unknown[]): number => add(callback, toDelay(delay), args),
    setInterval(callback: unknown, delay?: unknown, ...args: unknown[]): number {
      const every = Math.max(1, toDelay(delay));
      return add(callback, every, args, every);
    },
    clearTimeout: clear,
    clearInterval: clear,
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
