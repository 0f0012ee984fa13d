import { api } from "../api/api-client.ts";
import type { Session } from "../api/types.ts";

/** What a user stores for the UI (`settings.ui`, Open WebUI's place for it). */
export interface UiSettings {
  /** A language tag such as `en` or `de`; sets `<html lang>`. */
  language?: string;
  [key: string]: unknown;
}

/** The signed-in user's own account, under `/api/v1/auths` and `/api/v1/users/user`. */
export const accountApi = {
  updateProfile: (fields: { name?: string; profile_image_url?: string }) => api.post<Session>("/api/v1/auths/update/profile", fields),
  /** Ends every session of the account, this one included: sign in again with the new password. */
  updatePassword: (password: string, newPassword: string) =>
    api.post<boolean>("/api/v1/auths/update/password", { password, new_password: newPassword }),
  /** `sk-…abcd` (the key itself is shown once, when created), or null. */
  apiKeyHint: async () => (await api.get<{ api_key: string | null }>("/api/v1/auths/api_key")).api_key,
  /** A new key, replacing the old one. */
  createApiKey: async () => (await api.post<{ api_key: string }>("/api/v1/auths/api_key")).api_key,
  revokeApiKey: () => api.delete<boolean>("/api/v1/auths/api_key"),
  uiSettings: async () => (await api.get<{ ui: UiSettings }>("/api/v1/users/user/settings")).ui,
  updateUiSettings: async (ui: UiSettings) => (await api.post<{ ui: UiSettings }>("/api/v1/users/user/settings/update", { ui })).ui,
};
