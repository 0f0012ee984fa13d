import { setFlagsFromString } from "node:v8";

/** The most each half of a plugin isolate's young generation grows to, in MiB (V8's own default on 64-bit). */
export const ISOLATE_SEMI_SPACE_MB = 16;

let isSet = false;

/**
 * Lets plugin isolates' young generation grow as V8's default heap does. isolated-vm sizes it
 * from the memory limit (1 MiB semi-spaces for the default 128 MiB), which a streaming plugin
 * fills in a few hundred chunks: under 500 streaming chats the pipe's isolate spent most of its
 * time collecting. V8 grows a semi-space only while much of it survives, so an idle plugin keeps
 * the small one. Takes effect for isolates created from then on; the server's own heap, sized at
 * start, is not touched. Call before creating isolates; later calls do nothing.
 */
export function sizeIsolateYoungGeneration(): void {
  if (isSet) return;
  isSet = true;
  setFlagsFromString(`--max-semi-space-size=${ISOLATE_SEMI_SPACE_MB}`);
}
