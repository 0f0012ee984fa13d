import type { AccessControl, PluginForm, PluginNamespace, PluginRow } from "@sluice/sdk/wire";
import { api } from "../api/api-client.ts";
import type { JsonSchemaNode } from "./valves-form/describe-valve-fields.ts";

export type { AccessControl, PluginForm, PluginKind, PluginMeta, PluginNamespace, PluginRow } from "@sluice/sdk/wire";
export { kindOf, namespaceOf } from "@sluice/sdk/wire";

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
  update: (namespace: PluginNamespace, id: string, form: Omit<PluginForm, "id">) =>
    api.post<PluginRow>(`${item(namespace, id)}/update`, form),
  remove: (namespace: PluginNamespace, id: string) => api.delete<boolean>(`${item(namespace, id)}/delete`),
  toggle: (id: string) => api.post<PluginRow>(`${item("functions", id)}/toggle`),
  toggleGlobal: (id: string) => api.post<PluginRow>(`${item("functions", id)}/toggle/global`),
  /** Grants what the plugin asks for, if its code is still the one whose `content_hash` the admin saw (else 409). */
  approvePermissions: (namespace: PluginNamespace, id: string, contentHash: string) =>
    api.post<PluginRow & { notices: string[] }>(`${item(namespace, id)}/permissions/approve`, { content_hash: contentHash }),
  updateAccess: (id: string, accessControl: AccessControl) =>
    api.post<PluginRow>(`${item("tools", id)}/access/update`, { access_control: accessControl }),
  exportAll: (namespace: PluginNamespace) => api.get<PluginRow[]>(`${base(namespace)}/export`),
  importAll: (namespace: PluginNamespace, rows: unknown[]) => api.post<PluginRow[]>(`${base(namespace)}/import`, rows),
  loadUrl: (namespace: PluginNamespace, url: string) => api.post<{ name: string; content: string }>(`${base(namespace)}/load/url`, { url }),
  valvesSpec: (namespace: PluginNamespace, id: string, isUser: boolean) =>
    api.get<JsonSchemaNode | null>(`${item(namespace, id)}/valves${isUser ? "/user" : ""}/spec`),
  valves: (namespace: PluginNamespace, id: string, isUser: boolean) =>
    api.get<Record<string, unknown> | null>(`${item(namespace, id)}/valves${isUser ? "/user" : ""}`),
  updateValves: (namespace: PluginNamespace, id: string, isUser: boolean, values: Record<string, unknown>) =>
    api.post<Record<string, unknown>>(`${item(namespace, id)}/valves${isUser ? "/user" : ""}/update`, values),
};
