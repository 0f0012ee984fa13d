import { installGlobals } from "./install-globals.ts";
import type { SluiceHost } from "./types.ts";

export { abortInvocation } from "./abort-invocation.ts";
export { awaitHook, beginHook } from "./begin-hook.ts";
export { awaitBackground, WAIT_UNTIL_METHOD } from "./background-work.ts";
export type { BackgroundOutcome } from "./background-work.ts";
export { awaitResult, forgetResult, takeResult } from "./pending-results.ts";
export { addPulls, pullPipe, pullPipes, startPipe, stopPipe } from "./pipe-stream.ts";
export type { PipePullResult, PipeStartResult } from "./pipe-stream.ts";
export { closeStreamSession, NOT_RUN, openStreamSession, streamChunk, streamChunks } from "./stream-session.ts";
export type { StreamChunkResult } from "./stream-session.ts";
export { installGlobals } from "./install-globals.ts";
export { installMemoryGuards } from "./install-memory-guards.ts";
export { describePlugin, invokeHook, registerPlugin, validateValves } from "./register-plugin.ts";
export type { PluginFactory } from "./register-plugin.ts";
export type * from "./types.ts";
export * as sdk from "../index.ts";
export * as zod from "zod";

// In the sandbox the host is installed before this bundle runs; in Node (tests) it is not, and
// Node's own globals stay untouched.
const host = (globalThis as { __sluice_host?: SluiceHost }).__sluice_host;
if (host) installGlobals(host);
