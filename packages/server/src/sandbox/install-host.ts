import ivm from "isolated-vm";
import type { SluiceHost } from "@sluice/sdk/runtime";

// Runs inside the isolate. The ivm References stay in this closure, out of the plugin's reach
// (a leaked Reference is a way back into the host). Like the host side, these functions never
// throw or reject: a value that cannot be copied out becomes a failed HostResult.
const INSTALL_HOST = `(function (emitReference, callReference, fetchReference, sleepReference, log, randomBytes, parseUrl) {
  "use strict";
  const transfer = { arguments: { copy: true }, result: { promise: true, copy: true } };
  const failure = (error) => ({
    ok: false,
    error: { code: "PLUGIN_ERROR", message: "Could not pass a value to the host: " + (error && error.message) },
  });
  const request = (reference, args) => {
    try {
      return reference.apply(undefined, args, transfer).catch(failure);
    } catch (error) {
      return Promise.resolve(failure(error));
    }
  };
  const host = Object.freeze({
    emit: (invocationId, event) => request(emitReference, [invocationId, event]),
    call: (invocationId, event) => request(callReference, [invocationId, event]),
    fetch: (invocationId, fetchRequest) => request(fetchReference, [invocationId, fetchRequest]),
    sleep: (milliseconds) => request(sleepReference, [milliseconds]),
    log: (invocationId, level, message) => { log(invocationId, level, message); },
    randomBytes: (length) => randomBytes(length),
    parseUrl: (input, base) => parseUrl(input, base),
  });
  Object.defineProperty(globalThis, "__sluice_host", { value: host, enumerable: false, writable: false, configurable: false });
})($0, $1, $2, $3, $4, $5, $6)`;

/**
 * Installs `globalThis.__sluice_host` (contract §4) in `context`, backed by `host`, whose async
 * functions must never reject. Returns a function releasing the References it created.
 */
export async function installHost(context: ivm.Context, host: SluiceHost): Promise<() => void> {
  const references = [
    new ivm.Reference(host.emit),
    new ivm.Reference(host.call),
    new ivm.Reference(host.fetch),
    new ivm.Reference(host.sleep),
  ];
  // Synchronous callbacks: log lines keep their order and a plugin logging in a loop is slowed
  // down by the host instead of queueing without bound.
  const log = new ivm.Callback(host.log);
  const randomBytes = new ivm.Callback(host.randomBytes);
  const parseUrl = new ivm.Callback(host.parseUrl);
  const release = (): void => {
    for (const reference of references) {
      try {
        reference.release();
      } catch {
        // Already released together with its isolate.
      }
    }
  };
  try {
    await context.evalClosure(INSTALL_HOST, [...references, log, randomBytes, parseUrl]);
  } catch (error) {
    release();
    throw error;
  }
  return release;
}
