import { SluiceError } from "../errors.ts";
import { describeValue } from "./describe-value.ts";
import { toInvokeError } from "./to-invoke-error.ts";
import type { InvokeError, SluiceHost } from "./types.ts";

/**
 * The service-channel method that tells the host a call has background work (`ctx.waitUntil`):
 * the host core answers it itself and then keeps the call registered after its hook returned,
 * until `awaitBackground` answers or its time limit (`PLUGIN_WAIT_UNTIL_MS`) cuts the work.
 */
export const WAIT_UNTIL_METHOD = "host.waitUntil";

/** What `awaitBackground` answers, as JSON text: the failures of the call's background work. */
export interface BackgroundOutcome {
  errors: InvokeError[];
  /** True when the host cut the work (`abortInvocation` after the hook returned) before it settled. */
  isCut?: boolean;
}

interface BackgroundWork {
  pending: number;
  errors: InvokeError[];
  /** Settles once the host has been told; false when it refused (the call had ended). */
  announced: Promise<boolean>;
  isAnnounced: boolean;
  /** The end of the invocation, put off while work is pending (see {@link deferEnd}). */
  deferredEnds: Array<() => void>;
  /** `awaitBackground` waiting for the work to settle. */
  waiters: Array<(outcome: BackgroundOutcome) => void>;
}

const works = new Map<string, BackgroundWork>();

/**
 * Adds `work` (a promise) to the background work of invocation `invocationId`: the invocation
 * (its `ctx.signal`, emit, storage, fetch) lasts until all of it settled, or until the host cuts
 * it. A rejection is kept for the host to log. The first call tells the host (`host.waitUntil`).
 *
 * @example
 * addBackgroundWork(host, "inv-1", writeMemory());
 */
export function addBackgroundWork(host: SluiceHost, invocationId: string, work: unknown): void {
  if (typeof (work as { then?: unknown } | null)?.then !== "function") {
    throw new SluiceError("INVALID_INPUT", `ctx.waitUntil expects a promise, got ${describeValue(work)}`);
  }
  let entry = works.get(invocationId);
  if (!entry) {
    const created: BackgroundWork = {
      pending: 0,
      errors: [],
      announced: Promise.resolve(false),
      isAnnounced: false,
      deferredEnds: [],
      waiters: [],
    };
    created.announced = host.serve(invocationId, { method: WAIT_UNTIL_METHOD, args: [] }).then(
      (result) => {
        created.isAnnounced = true;
        return result.ok;
      },
      () => {
        created.isAnnounced = true;
        return false;
      },
    );
    entry = created;
    works.set(invocationId, entry);
  }
  const current = entry;
  current.pending += 1;
  Promise.resolve(work as PromiseLike<unknown>)
    .then(undefined, (error: unknown) => {
      current.errors.push(toInvokeError(error));
    })
    .then(() => {
      current.pending -= 1;
      if (current.pending === 0 && works.get(invocationId) === current) settle(invocationId, current, false);
    });
}

/**
 * While the host is being told of the invocation's background work, a promise that settles once it
 * knows; else undefined. An answer that ends the call (a hook's result, a pipe's last chunk) waits
 * for it, so the host never ends a call before it learns to keep it.
 */
export function backgroundAnnouncement(invocationId: string): Promise<boolean> | undefined {
  const entry = works.get(invocationId);
  return entry && !entry.isAnnounced ? entry.announced : undefined;
}

/**
 * Puts off `end` (the end of an invocation: its signal, its open fetch bodies) while its
 * background work is pending; true when it did. Work the host was never told of ends with it.
 */
export function deferEnd(invocationId: string, end: () => void): boolean {
  const entry = works.get(invocationId);
  if (!entry) return false;
  if (entry.pending === 0) {
    // Settled already: the host takes the outcome, unless it was never told.
    void entry.announced.then((isKnown) => {
      if (!isKnown && works.get(invocationId) === entry) works.delete(invocationId);
    });
    return false;
  }
  entry.deferredEnds.push(end);
  // The host refused the announcement (the call had ended): nobody waits for the work.
  void entry.announced.then((isKnown) => {
    if (!isKnown && works.get(invocationId) === entry) settle(invocationId, entry, true);
  });
  return true;
}

/**
 * Resolves, as JSON text of a {@link BackgroundOutcome}, once the background work of
 * `invocationId` settled (at once when it has, or there is none). The host calls it after the
 * hook returned, with its own time limit.
 *
 * @example
 * await __sluice_runtime.awaitBackground("inv-1"); // '{"errors":[]}'
 */
export function awaitBackground(invocationId: string): Promise<string> {
  const entry = works.get(String(invocationId));
  if (!entry) return Promise.resolve(JSON.stringify({ errors: [] }));
  if (entry.pending === 0) {
    works.delete(String(invocationId));
    return Promise.resolve(JSON.stringify({ errors: entry.errors }));
  }
  return new Promise((resolve) => entry.waiters.push((outcome) => resolve(JSON.stringify(outcome))));
}

/**
 * Cuts the background work of an invocation whose hook has returned (the host's time limit ran
 * out): the invocation ends now, and `awaitBackground` answers. False when there was none.
 */
export function cutBackgroundWork(invocationId: string): boolean {
  const entry = works.get(invocationId);
  // Only once the hook has returned (its end is put off) or the host waits for the work.
  if (!entry || (entry.deferredEnds.length === 0 && entry.waiters.length === 0)) return false;
  settle(invocationId, entry, true);
  return true;
}

function settle(invocationId: string, entry: BackgroundWork, isCut: boolean): void {
  // Without a waiter the outcome stays for the host's `awaitBackground`, unless the work was cut.
  if (entry.waiters.length > 0 || isCut) works.delete(invocationId);
  for (const resolve of entry.waiters.splice(0)) resolve(isCut ? { errors: entry.errors, isCut } : { errors: entry.errors });
  for (const end of entry.deferredEnds.splice(0)) end();
}
