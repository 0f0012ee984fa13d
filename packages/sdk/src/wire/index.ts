/**
 * What crosses between Sluice's server and its web UI (and Open WebUI's clients): the rows and
 * records of the REST API, the socket's event envelope, and the rules for reading a plugin's
 * source (frontmatter, kind, language). Declared once here, so the two sides cannot disagree.
 * `@sluice/sdk/wire`; nothing in it runs in a plugin's sandbox.
 */
export type {
  ChatData,
  ChatMessage,
  ChatModel,
  ChatRecord,
  ChatSummary,
  EventEnvelope,
  FileEntry,
  MessageContentPart,
  MessageTree,
  ModelAction,
  ModelFilter,
  SourceEntry,
  StatusEntry,
  ToolCallEntry,
} from "./chat-record.ts";
export type { ConnectionConfig, OllamaConfig, OpenAIConfig } from "./connection-config.ts";
export type { AccessControl, FunctionType, PluginForm, PluginMeta, PluginSection, PluginRow } from "./plugin-row.ts";
export { functionTypeOf, kindOf, namespaceOf } from "./plugin-row.ts";
export type { FilterOrderEntry, PluginPermissionReport, PluginVersion, PluginVersionSummary } from "./plugin-version.ts";
export type { PluginKind } from "../plugin-kind.ts";
export { PLUGIN_KINDS } from "../plugin-kind.ts";
export { guessPluginKind, looksLikePython, parseFrontmatter } from "./plugin-source.ts";
