import { randomBytes } from "node:crypto";
import ivm from "isolated-vm";
import type { SluiceHost } from "@sluice/sdk/runtime";
import { MAX_HOST_ARGUMENT_LENGTH, type PluginCapabilities } from "../host/plugin-capabilities.ts";
const MAX_LOG_LENGTH = 16_384;
const MAX_RANDOM_BYTES = 65_536;

/**
 * What the isolate's `__sluice_host` is backed by: the host's capabilities (which receive the
 * plugin's values as JSON text) and what the runtime's globals need that only the host has.
 */
export type IsolateHostFunctions = Pick<PluginCapabilities, "emit" | "call" | "fetch" | "fetchRead" | "fetchClose" | "serve" | "log"> &
  Pick<SluiceHost, "sleep" | "parseUrl">;

// Runs inside the isolate, before the plugin. The ivm References stay in this closure, out of the
// plugin's reach (a leaked Reference is a way back into the host). What the plugin could change
// later is captured now (JSON.stringify, Promise.resolve), and the option objects have no
// prototype: isolated-vm reads inherited option properties, which the plugin could plant on
// Object.prototype. Values cross as JSON text whose length is checked, so a plugin cannot make
// the host copy more than the limit. Bytes (a fetch's binary body, a response's chunks) cross as
// Uint8Array copies (measured: a 64 KiB chunk ~0.13 ms, ~4x faster than base64 in JSON), the body
// first copied into a fresh array here. Like the host side, these functions never throw or reject.
const INSTALL_HOST = `(function (emitReference, callReference, fetchReference, serveReference, sleepReference, log, randomBytes, parseUrl, maxLength, maxLogLength, fetchReadReference, fetchClose) {
  "use strict";
  const stringify = JSON.stringify;
  const resolved = Promise.resolve.bind(Promise);
  const toText = String;
  const Bytes = Uint8Array;
  const assign = Object.assign;
  const create = Object.create;
  const plain = (fields) => Object.freeze(Object.assign(Object.create(null), fields));
  const transfer = plain({ arguments: plain({ copy: true }), result: plain({ promise: true, copy: true }) });
  const failure = (error) => ({
    ok: false,
    error: { code: "PLUGIN_ERROR", message: "Could not pass a value to the host: " + (error && error.message) },
  });
  const request = (reference, args) => {
    try {
      return reference.apply(undefined, args, transfer).catch(failure);
    } catch (error) {
      return resolved(failure(error));
    }
  };
  const requestJson = (reference, invocationId, value) => {
    let json;
    try {
      json = stringify(value);
    } catch (error) {
      return resolved(failure(error));
    }
    if (typeof json !== "string") json = "null";
    if (json.length > maxLength) {
      return resolved({ ok: false, error: { code: "PLUGIN_ERROR", message: "The value passed to the host is " + json.length + " characters of JSON; the limit is " + maxLength } });
    }
    return request(reference, [invocationId, json]);
  };
  const host = Object.freeze({
    emit: (invocationId, event) => requestJson(emitReference, invocationId, event),
    call: (invocationId, event) => requestJson(callReference, invocationId, event),
    fetch: (invocationId, fetchRequest) => {
      const body = fetchRequest && fetchRequest.body;
      if (!(body instanceof Bytes)) return requestJson(fetchReference, invocationId, fetchRequest);
      let json;
      let bytes;
      try {
        json = stringify(assign(create(null), fetchRequest, { body: undefined }));
        bytes = new Bytes(body);
      } catch (error) {
        return resolved(failure(error));
      }
      if (json.length + bytes.byteLength > maxLength) {
        return resolved({ ok: false, error: { code: "PAYLOAD_TOO_LARGE", message: "The fetch request is " + (json.length + bytes.byteLength) + " bytes; the limit is " + maxLength } });
      }
      return request(fetchReference, [invocationId, json, bytes]);
    },
    fetchRead: (invocationId, bodyId) => request(fetchReadReference, [toText(invocationId), toText(bodyId)]),
    fetchClose: (invocationId, bodyId) => { fetchClose(toText(invocationId), toText(bodyId)); },
    serve: (invocationId, serveRequest) => requestJson(serveReference, invocationId, serveRequest),
    sleep: (milliseconds) => request(sleepReference, [milliseconds]),
    log: (invocationId, level, message) => { log(invocationId, level, toText(message).slice(0, maxLogLength)); },
    randomBytes: (length) => randomBytes(length),
    parseUrl: (input, base) => parseUrl(input, base),
  });
  Object.defineProperty(globalThis, "__sluice_host", { value: host, enumerable: false, writable: false, configurable: false });
})($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

/** `crypto.getRandomValues` for the isolate: at most 64 KiB per call. */
function randomByteArray(length: number): number[] {
  const count = Math.min(Math.max(Math.trunc(Number(length)) || 0, 0), MAX_RANDOM_BYTES);
  return Array.from(randomBytes(count));
}

/**
 * Installs `globalThis.__sluice_host` (docs/internals/plugin-runtime.md §4) in `context`, backed by `host`, whose async
 * functions must never reject. Returns a function releasing the References it created.
 */
export async function installHost(context: ivm.Context, host: IsolateHostFunctions): Promise<() => void> {
  const references = [
    new ivm.Reference(host.emit),
    new ivm.Reference(host.call),
    new ivm.Reference(host.fetch),
    new ivm.Reference(host.serve),
    new ivm.Reference(host.sleep),
    new ivm.Reference(host.fetchRead),
  ];
  // Synchronous callbacks: log lines keep their order and a plugin logging in a loop is slowed
  // down by the host instead of queueing without bound.
  const log = new ivm.Callback(host.log);
  const randomBytesCallback = new ivm.Callback(randomByteArray);
  const parseUrl = new ivm.Callback(host.parseUrl);
  const fetchClose = new ivm.Callback(host.fetchClose);
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
    const [emit, call, fetch, serve, sleep, fetchRead] = references;
    await context.evalClosure(INSTALL_HOST, [
      emit,
      call,
      fetch,
      serve,
      sleep,
      log,
      randomBytesCallback,
      parseUrl,
      MAX_HOST_ARGUMENT_LENGTH,
      MAX_LOG_LENGTH,
      fetchRead,
      fetchClose,
    ]);
  } catch (error) {
    release();
    throw error;
  }
  return release;
}
