export { createTestHarness } from "./create-test-harness.ts";
export type { StoredValves, TestCallOptions, TestHarness, TestHarnessOptions } from "./create-test-harness.ts";
export type { AnswerCalls, TestFetch, TestFetchAnswer, TestRecord } from "./create-test-host.ts";
export type { TestStorageSnapshot } from "./test-storage.ts";
export type { TestModelAnswer, TestModelCall, TestModels } from "./test-models.ts";
export type { TestTool } from "./test-tools.ts";
export type { TestFileSeed, TestStoredFile } from "./test-files.ts";
export type { TestChat } from "./test-chat.ts";
export type { HookOutput } from "../runtime/run-hook.ts";
