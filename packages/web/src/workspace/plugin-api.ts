import type {
  AccessControl,
  PluginForm,
  PluginPermissionReport,
  PluginSection,
  PluginRow,
  PluginVersion,
  PluginVersionSummary,
} from "@sluice/sdk/wire";
import { api } from "../api/api-client.ts";
import type { JsonSchemaNode } from "./valves-form/describe-valve-fields.ts";

export type {
  AccessControl,
  PluginForm,
  PluginKind,
  PluginMeta,
  PluginPermissionReport,
  PluginSection,
  PluginRow,
  PluginVersion,
  PluginVersionSummary,
} from "@sluice/sdk/wire";
export { kindOf, namespaceOf } from "@sluice/sdk/wire";

const base = (namespace: PluginSection) => `/api/v1/${namespace}`;
const item = (namespace: PluginSection, id: string) => `${base(namespace)}/id/${encodeURIComponent(id)}`;

/**
 * The plugin workspace's calls to the server.
 *
 * @example
 * const filters = (await pluginApi.list("functions")).filter((row) => row.type === "filter");
 */
export const pluginApi = {
  list: (namespace: PluginSection) => api.get<PluginRow[]>(`${base(namespace)}/`),
  get: (namespace: PluginSection, id: string) => api.get<PluginRow>(item(namespace, id)),
  create: (namespace: PluginSection, form: PluginForm) => api.post<PluginRow>(`${base(namespace)}/create`, form),
  update: (namespace: PluginSection, id: string, form: Omit<PluginForm, "id">) =>
    api.post<PluginRow>(`${item(namespace, id)}/update`, form),
  remove: (namespace: PluginSection, id: string) => api.delete<boolean>(`${item(namespace, id)}/delete`),
  toggle: (id: string) => api.post<PluginRow>(`${item("functions", id)}/toggle`),
  toggleGlobal: (id: string) => api.post<PluginRow>(`${item("functions", id)}/toggle/global`),
  /** Grants what the plugin asks for, if its code is still the one whose `content_hash` the admin saw (else 409). */
  approvePermissions: (namespace: PluginSection, id: string, contentHash: string) =>
    api.post<PluginRow & { notices: string[] }>(`${item(namespace, id)}/permissions/approve`, { content_hash: contentHash }),
  /** What approving would grant, in the server's words (admins). */
  permissions: (namespace: PluginSection, id: string) => api.get<PluginPermissionReport>(`${item(namespace, id)}/permissions`),
  versions: (namespace: PluginSection, id: string) => api.get<PluginVersionSummary[]>(`${item(namespace, id)}/versions`),
  version: (namespace: PluginSection, id: string, versionId: string) =>
    api.get<PluginVersion>(`${item(namespace, id)}/versions/${encodeURIComponent(versionId)}`),
  /** Saves an old version as the newest one (it must load, as any save); answers with the plugin. */
  restoreVersion: (namespace: PluginSection, id: string, versionId: string) =>
    api.post<PluginRow>(`${item(namespace, id)}/versions/${encodeURIComponent(versionId)}/restore`, {}),
  updateAccess: (id: string, accessControl: AccessControl) =>
    api.post<PluginRow>(`${item("tools", id)}/access/update`, { access_control: accessControl }),
  exportAll: (namespace: PluginSection) => api.get<PluginRow[]>(`${base(namespace)}/export`),
  importAll: (namespace: PluginSection, rows: unknown[]) => api.post<PluginRow[]>(`${base(namespace)}/import`, rows),
  loadUrl: (namespace: PluginSection, url: string) => api.post<{ name: string; content: string }>(`${base(namespace)}/load/url`, { url }),
  valvesSpec: (namespace: PluginSection, id: string, isUser: boolean) =>
    api.get<JsonSchemaNode | null>(`${item(namespace, id)}/valves${isUser ? "/user" : ""}/spec`),
  valves: (namespace: PluginSection, id: string, isUser: boolean) =>
    api.get<Record<string, unknown> | null>(`${item(namespace, id)}/valves${isUser ? "/user" : ""}`),
  updateValves: (namespace: PluginSection, id: string, isUser: boolean, values: Record<string, unknown>) =>
    api.post<Record<string, unknown>>(`${item(namespace, id)}/valves${isUser ? "/user" : ""}/update`, values),
};
