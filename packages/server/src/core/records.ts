import type { AccessControl } from "./access-control.ts";

/** `meta` of a function or tool row: Open WebUI's shape, extra keys kept. */
export interface PluginMeta {
  description: string;
  /** The frontmatter (`title`, `version`, `requirements`, …). */
  manifest: Record<string, string>;
  toggle?: boolean;
  icon?: string | null;
  has_user_valves?: boolean;
  [key: string]: unknown;
}

/** A function's stored `type`; `event` is an event plugin (`defineEvents`), as Open WebUI names it. */
export type FunctionKind = "pipe" | "filter" | "action" | "event";

/** A stored function (pipe, filter, action or event plugin). `valves` are as stored (secret fields sealed). */
export interface FunctionRecord {
  id: string;
  user_id: string;
  name: string;
  type: FunctionKind;
  content: string;
  meta: PluginMeta;
  valves: Record<string, unknown>;
  is_active: boolean;
  is_global: boolean;
  content_hash: string;
  load_error: string | null;
  created_at: number;
  updated_at: number;
}

/** One function a tool module offers the model. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** A stored tool module. */
export interface ToolRecord {
  id: string;
  user_id: string;
  name: string;
  content: string;
  specs: ToolSpec[];
  meta: PluginMeta;
  valves: Record<string, unknown>;
  access_control: AccessControl;
  is_active: boolean;
  content_hash: string;
  load_error: string | null;
  created_at: number;
  updated_at: number;
}

export type PluginRecord = FunctionRecord | ToolRecord;

/** A model's `meta`: the plugins attached to it and how it is shown. Unknown keys are kept. */
export interface ModelMeta {
  description?: string | null;
  /** Filters that run for this model, on top of the global ones. */
  filterIds?: string[];
  /** Toggleable filters switched on by default in the chat UI. */
  defaultFilterIds?: string[];
  /** Action buttons under this model's messages. */
  actionIds?: string[];
  /** Tools offered to this model (the chat UI's default selection). */
  toolIds?: string[];
  capabilities?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * A `model` row. With `base_model_id` null it holds the settings of the upstream or pipe model of
 * the same id; otherwise it is a custom model built on `base_model_id`.
 */
export interface ModelRecord {
  id: string;
  user_id: string;
  base_model_id: string | null;
  name: string;
  meta: ModelMeta;
  params: Record<string, unknown>;
  access_control: AccessControl;
  is_active: boolean;
  created_at: number;
  updated_at: number;
}
