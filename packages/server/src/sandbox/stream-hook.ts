// The names a filter's stream session had before it was written once for every transport (issue
// 10): code outside the sandbox (the chat pipeline) still imports them from here.
export type {
  StreamFilterOutput as StreamHookOutput,
  StreamFilterRequest as StreamHookRequest,
  StreamFilterSession as StreamHookSession,
} from "./host/stream-filter-session.ts";
