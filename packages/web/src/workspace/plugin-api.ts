import { api } from "../api/api-client.ts";
import type { JsonSchemaNode } from "./valves-form/describe-valve-fields.ts";

/** Functions (pipes, filters, actions) live under `/api/v1/functions`, tools under `/api/v1/tools`. */
export type PluginNamespace = "functions" | "tools";

export type PluginKind = "pipe" | "filter" | "action" | "tools";

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
  icon?: string;
  has_user_valves?: boolean;
  /** What the frontmatter's `permissions:` asks for (`network:<host>`, `node`) and what an admin granted. */
  permissions?: { requested: string[]; granted: string[] };
  [key: string]: unknown;
}

/** A function or tool row as the API answers it (docs/api.md). */
export interface PluginRow {
  id: string;
  user_id: string;
  name: string;
  /** Functions only: what the code defines. */
  type?: Exclude<PluginKind, "tools">;
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
}

/** The kind shown for a row: a function's `type`, or "tools". */
export function kindOf(namespace: PluginNamespace, row: Pick<PluginRow, "type">): PluginKind {
  return namespace === "tools" ? "tools" : (row.type ?? "pipe");
}

/** The namespace a kind is stored in. */
export function namespaceOf(kind: PluginKind): PluginNamespace {
  return kind === "tools" ? "tools" : "functions";
}

const base = (namespace: PluginNamespace) => `/api/v1/${namespace}`;
const item = (namespace: PluginNamespace, id: string) => `${base(namespace)}/id/${encodeURIComponent(id)}`;

/**
 * The plugin workspace's calls to the server.
 *
 * @example
 * const filters = (await pluginApi.list("functions")).filter((row) => row.type === "filter");
 */
export const pluginApi = {
  list: (namespace: PluginNamespace) => api.get<PluginRow[]>(`${base(namespace)}/`),
  get: (namespace: PluginNamespace, id: string) => api.get<PluginRow>(item(namespace, id)),
  create: (namespace: PluginNamespace, form: PluginForm) => api.post<PluginRow>(`${base(namespace)}/create`, form),
  update: (namespace: PluginNamespace, id: string, form: Omit<PluginForm, "id">) => api.post<PluginRow>(`${item(namespace, id)}/update`, form),
  remove: (namespace: PluginNamespace, id: string) => api.delete<boolean>(`${item(namespace, id)}/delete`),
  toggle: (id: string) => api.post<PluginRow>(`${item("functions", id)}/toggle`),
  toggleGlobal: (id: string) => api.post<PluginRow>(`${item("functions", id)}/toggle/global`),
  /** Grants what the plugin asks for, if its code is still the one whose `content_hash` the admin saw (else 409). */
  approvePermissions: (namespace: PluginNamespace, id: string, contentHash: string) =>
    api.post<PluginRow & { notices: string[] }>(`${item(namespace, id)}/permissions/approve`, { content_hash: contentHash }),
  updateAccess: (id: string, accessControl: AccessControl) => api.post<PluginRow>(`${item("tools", id)}/access/update`, { access_control: accessControl }),
  exportAll: (namespace: PluginNamespace) => api.get<PluginRow[]>(`${base(namespace)}/export`),
  importAll: (namespace: PluginNamespace, rows: unknown[]) => api.post<PluginRow[]>(`${base(namespace)}/import`, rows),
  loadUrl: (namespace: PluginNamespace, url: string) => api.post<{ name: string; content: string }>(`${base(namespace)}/load/url`, { url }),
  valvesSpec: (namespace: PluginNamespace, id: string, isUser: boolean) =>
    api.get<JsonSchemaNode | null>(`${item(namespace, id)}/valves${isUser ? "/user" : ""}/spec`),
  valves: (namespace: PluginNamespace, id: string, isUser: boolean) => api.get<Record<string, unknown> | null>(`${item(namespace, id)}/valves${isUser ? "/user" : ""}`),
  updateValves: (namespace: PluginNamespace, id: string, isUser: boolean, values: Record<string, unknown>) =>
    api.post<Record<string, unknown>>(`${item(namespace, id)}/valves${isUser ? "/user" : ""}/update`, values),
};
