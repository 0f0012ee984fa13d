import type { PluginMeta } from "./plugin-row.ts";

/**
 * One saved state of a function or tool, as `GET /api/v1/{functions,tools}/id/{id}/versions` lists
 * it (newest first, without `content`); `GET …/versions/{id}` adds `content`.
 */
export interface PluginVersionSummary {
  id: string;
  plugin_id: string;
  /** 1 for the plugin's first save, then one more for each. */
  number: number;
  user_id: string;
  /** Who saved it; null when that account is gone. */
  user?: { id: string; name: string } | null;
  name: string;
  meta: PluginMeta;
  /** What the saver wrote about the change. */
  message: string | null;
  /** Epoch seconds. */
  created_at: number;
}

export interface PluginVersion extends PluginVersionSummary {
  content: string;
}

/** `GET /api/v1/{functions,tools}/id/{id}/permissions`: what approving would grant, in the server's words. */
export interface PluginPermissionReport {
  content_hash: string;
  requested: string[];
  granted: string[];
  waiting: string[];
  notices: string[];
}

/** One filter of `GET /api/v1/models/model/filters?id=…`, in the order filters run for the model. */
export interface FilterOrderEntry {
  id: string;
  name: string;
  priority: number;
  is_global: boolean;
  /** Runs only when the user switches it on in the chat. */
  is_toggle: boolean;
}
