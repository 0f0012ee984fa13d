export { z } from "zod";
export { ERROR_CODES, SluiceError, toSluiceError } from "./errors.ts";
export { SDK_VERSION } from "./version.ts";
export type { ErrorCode, ErrorFallback, SluiceErrorOptions } from "./errors.ts";
export { definePipe } from "./define-pipe.ts";
export type { PipeDefinition, PipeEntry, PipePlugin, PipeResult } from "./define-pipe.ts";
export { defineFilter } from "./define-filter.ts";
export type { FilterDefinition, FilterPlugin } from "./define-filter.ts";
export { defineAction } from "./define-action.ts";
export type { ActionDefinition, ActionEntry, ActionPlugin, ActionResult } from "./define-action.ts";
export { defineTools } from "./define-tools.ts";
export type { ToolDefinition, ToolParameters, ToolsDefinition, ToolsPlugin } from "./define-tools.ts";
export { defineEvents } from "./define-events.ts";
export type { EventContext, EventHandler, EventsDefinition, EventsPlugin } from "./define-events.ts";
export { matchesEventPattern, SERVER_EVENT_NAMES } from "./server-event.ts";
export type {
  FunctionEventData,
  ServerEvent,
  ServerEventActor,
  ServerEventCatalog,
  ServerEventName,
  ServerEventNameMatching,
  ServerEventPattern,
  ToolEventData,
} from "./server-event.ts";
export { PLUGIN_KINDS } from "./plugin-kind.ts";
export type { PluginKind } from "./plugin-kind.ts";
export { EVENT_TYPES } from "./sluice-event.ts";
export type {
  CitationData,
  CustomSluiceEvent,
  EmittableEvent,
  EventOfType,
  SluiceEvent,
  SluiceEventType,
  StatusData,
} from "./sluice-event.ts";
export type {
  EventCall,
  ModelInfo,
  PipesContext,
  PluginAbortSignal,
  PluginContext,
  PluginLogger,
  PluginMetadata,
  PluginUser,
} from "./plugin-context.ts";
export type { FetchBody, FetchHeaders, FetchInit, FetchResponse, PluginFetch, ServerSentEvent } from "./plugin-fetch.ts";
export type { PluginStorage, PluginStorageSpaces, RequestFacts, StorageSetOptions } from "./plugin-storage.ts";
export type { CreatedFile, NewFile, PluginFile, PluginFiles, RequestFiles } from "./plugin-files.ts";
export type { ChatMeta, PluginChat, StoredChat, StoredChatMessage } from "./plugin-chat.ts";
export type { Memory, MemoryMatch, PluginMemories } from "./plugin-memories.ts";
export type { CompleteOptions, ModelRequest, ModelStream, ModelSummary, PluginModels } from "./plugin-models.ts";
export type { PluginTools, ToolInfo } from "./plugin-tools.ts";
export type {
  ActionBody,
  ChatBody,
  ChatCompletion,
  ChatContentPart,
  ChatMessage,
  FileReference,
  OutletBody,
  ToolCall,
} from "./chat-body.ts";
export type { StreamDelta, StreamEvent } from "./stream-event.ts";
export type { Awaitable, InferValves, ValvesSchema } from "./valves-schema.ts";
