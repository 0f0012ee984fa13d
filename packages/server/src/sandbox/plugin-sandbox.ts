// The isolated tier lives in ./isolate/ (a PluginHost over IsolateTransport); this path is kept
// for code outside the sandbox that imports it from here (the benchmarks).
export * from "./isolate/plugin-sandbox.ts";
