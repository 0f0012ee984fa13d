import type { PluginKind } from "../plugin-kind.ts";

/** The shapes of `/api/v1/functions` and `/api/v1/tools`, declared once for the server and the web. */

/**
 * A function row's `type`: the kind of what its code defines, and `event` (Open WebUI's name) for
 * an event plugin (kind `events`).
 */
export type FunctionType = "pipe" | "filter" | "action" | "event";

/** Functions (pipes, filters, actions, event plugins) live under `/api/v1/functions`, tools under `/api/v1/tools`. */
export type PluginSection = "functions" | "tools";

/** `null` = every user may use it; `{}` = owner and admins only; otherwise explicit grants. */
export type AccessControl = null | {
  read?: { user_ids?: string[]; group_ids?: string[] };
  write?: { user_ids?: string[]; group_ids?: string[] };
};

export interface PluginMeta {
  description?: string;
  /** The frontmatter: title, author, version, description, icon_url, … */
  manifest?: Record<string, string>;
  toggle?: boolean;
  icon?: string | null;
  has_user_valves?: boolean;
  /** What the frontmatter's `permissions:` asks for (`network:<host>`, `node`) and what an admin granted. */
  permissions?: { requested: string[]; granted: string[] };
  /** An event plugin's event names and patterns (`chat.*`, …). */
  events?: string[];
  [key: string]: unknown;
}

/** A function or tool row as the API answers it (docs/api.md): what the server sends and the web reads. */
export interface PluginRow {
  id: string;
  user_id: string;
  name: string;
  /** Functions only: what the code defines. */
  type?: FunctionType;
  content?: string;
  meta: PluginMeta;
  is_active: boolean;
  /** Functions only. */
  is_global?: boolean;
  load_error: string | null;
  /** Identifies the stored code; approving permissions sends it back, so only the code shown is approved. */
  content_hash?: string;
  loaded_at: number | null;
  created_at: number;
  updated_at: number;
  /** Tools only. */
  access_control?: AccessControl;
  write_access?: boolean;
  has_user_valves?: boolean;
  user?: { id: string; name: string; email: string; role: string } | null;
}

export interface PluginForm {
  id: string;
  name: string;
  content: string;
  meta?: { description?: string };
  access_control?: AccessControl;
  /** What changed, kept with the version the save makes. */
  message?: string;
}

/** The kind shown for a row: a function's `type` (`event` is kind `events`), or "tools". */
export function kindOf(namespace: PluginSection, row: Pick<PluginRow, "type">): PluginKind {
  if (namespace === "tools") return "tools";
  return row.type === "event" ? "events" : (row.type ?? "pipe");
}

/**
 * The `type` a function of this kind is stored with: the kind itself, but `event` for an event
 * plugin, as Open WebUI stores its event functions.
 *
 * @example
 * functionTypeOf("events"); // "event"
 */
export function functionTypeOf(kind: Exclude<PluginKind, "tools">): FunctionType {
  return kind === "events" ? "event" : kind;
}

/** The namespace a kind is stored in. */
export function namespaceOf(kind: PluginKind): PluginSection {
  return kind === "tools" ? "tools" : "functions";
}
