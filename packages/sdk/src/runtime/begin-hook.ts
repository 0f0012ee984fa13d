import { awaitResult, holdResult, PENDING } from "./pending-results.ts";
import { invokeHook } from "./register-plugin.ts";
import { serializeResult } from "./serialize-result.ts";
import type { InvokeRequest } from "./types.ts";

/** What a hook answers when it returned its payload as it came: the host keeps its own copy. */
const UNCHANGED = '{"ok":true,"unchanged":true}';

function heldInvocation(input: InvokeRequest | string, payloadText?: string): string {
  // The host may send the request as JSON text: parsing it here is cheaper than copying objects.
  const request = (typeof input === "string" ? JSON.parse(input) : input) as InvokeRequest;
  // ...and the payload apart, so that a payload handed back unchanged need not cross back.
  if (typeof payloadText === "string" && request) request.payload = JSON.parse(payloadText);
  const invocationId = request?.invocationId;
  const what = `What ${request?.hook === "tool" ? `tool "${request.toolName}"` : request?.hook} returned`;
  holdResult(
    invocationId,
    invokeHook(request).then((result) => {
      const text = serializeResult(result, what);
      return typeof payloadText === "string" && text === `{"ok":true,"value":${payloadText}}` ? UNCHANGED : text;
    }),
  );
  return invocationId;
}

/**
 * Starts one hook like `invokeHook`, for a host that calls it synchronously: answers
 * {@link PENDING} at once and keeps the result, as JSON text of an {@link InvokeResult} (at most
 * `MAX_RESULT_LENGTH` long), under the invocation id for `takeResult` / `awaitResult`. A hook that
 * does not wait for the host has finished by the time the host asks, so a call costs two quick
 * synchronous crossings instead of a promise round trip. `payloadText` as for {@link awaitHook}.
 * The isolate tier calls it (asynchronously, limited by isolated-vm's `timeout`) and then
 * `awaitResult`: the host's clock for the call starts once this synchronous part has run.
 *
 * @example
 * __sluice_runtime.beginHook({ invocationId: "inv-1", hook: "inlet", payload: body, context }); // 0
 * __sluice_runtime.takeResult("inv-1"); // '{"ok":true,"value":{…}}'
 */
export function beginHook(request: InvokeRequest | string, payloadText?: string): typeof PENDING {
  heldInvocation(request, payloadText);
  return PENDING;
}

/**
 * Runs one hook and resolves with its result as JSON text, like {@link beginHook} followed by
 * `awaitResult`: the host can give up on it with `forgetResult`, which resolves it with
 * {@link PENDING} at once. With `payloadText` (the payload as JSON text, apart from the request)
 * a hook that hands back exactly what it got answers `{"ok":true,"unchanged":true}`.
 *
 * @example
 * await __sluice_runtime.awaitHook({ invocationId: "inv-1", hook: "inlet", payload: body, context });
 */
export function awaitHook(request: InvokeRequest | string, payloadText?: string): Promise<unknown> {
  return awaitResult(heldInvocation(request, payloadText));
}
