import type { ColumnType } from "kysely";

/**
 * Table row types. JSON columns are stored as text in both SQLite and PostgreSQL and parsed
 * with zod where they are read (see the repositories). Times are epoch seconds, as in Open WebUI.
 */
export interface UserTable {
  id: string;
  name: string;
  email: string;
  role: "admin" | "user" | "pending";
  password_hash: string;
  /** JSON: `{ functions?: { valves?: Record<id, values> }, tools?: { valves?: … }, permissions?: … }` */
  settings: string;
  created_at: number;
  updated_at: number;
  last_active_at: number;
  /** Raised by every password change; session tokens signed at an older version are refused. */
  token_version: ColumnType<number, number | undefined, number>;
  /** The avatar: a small `data:image/…` URL or a link; null = initials. */
  profile_image_url: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ApiKeyTable {
  id: string;
  user_id: string;
  /** sha256 of the key, hex; the key itself is shown once. */
  key_hash: string;
  /** Last four characters, to let a user recognise a key. */
  key_hint: string;
  created_at: number;
}

export interface FunctionTable {
  id: string;
  user_id: string;
  name: string;
  type: string;
  content: string;
  /** JSON `{ description, manifest, toggle?, … }` */
  meta: string;
  /** JSON of the admin valves that were set (secret fields encrypted). */
  valves: string;
  is_active: ColumnType<boolean | number, boolean | number, boolean | number>;
  is_global: ColumnType<boolean | number, boolean | number, boolean | number>;
  content_hash: string;
  /** Null when the plugin loaded; the error text when the last load failed. */
  load_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface ToolTable {
  id: string;
  user_id: string;
  name: string;
  content: string;
  /** JSON list of OpenAI function specs. */
  specs: string;
  meta: string;
  valves: string;
  /** JSON `{ read: {user_ids, group_ids}, write: {…} }` or null (public read). */
  access_control: string | null;
  is_active: ColumnType<boolean | number, boolean | number, boolean | number>;
  content_hash: string;
  load_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface GroupTable {
  id: string;
  user_id: string;
  name: string;
  description: string;
  /** JSON list of user ids. */
  user_ids: string;
  /** JSON permissions granted to members, same shape as a user's. */
  permissions: string;
  created_at: number;
  updated_at: number;
}

export interface ConfigTable {
  key: string;
  /** JSON value. */
  value: string;
  updated_at: number;
}

export interface ChatTable {
  id: string;
  user_id: string;
  /** Kept equal to `chat.title`, for listing without parsing the JSON. */
  title: string;
  /** JSON: Open WebUI's chat object `{ title, models, messages, history: { messages, currentId }, … }`. */
  chat: string;
  archived: ColumnType<boolean | number, boolean | number | undefined, boolean | number>;
  pinned: ColumnType<boolean | number, boolean | number | undefined, boolean | number>;
  /** The user's folder holding the chat, or null. */
  folder_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON `{ tags: [tag id, …], … }`, Open WebUI's `chat.meta`. */
  meta: ColumnType<string, string | undefined, string>;
  created_at: number;
  updated_at: number;
}

/** A user's chat tag; `id` is the name lower-cased, spaces as underscores. */
export interface TagTable {
  id: string;
  name: string;
  user_id: string;
  /** JSON or null. */
  meta: string | null;
}

/** A user's folder of chats. */
export interface FolderTable {
  id: string;
  parent_id: string | null;
  user_id: string;
  name: string;
  /** JSON or null. */
  meta: string | null;
  /** JSON or null. */
  data: string | null;
  is_expanded: ColumnType<boolean | number, boolean | number | undefined, boolean | number>;
  created_at: number;
  updated_at: number;
}

export interface ModelTable {
  /** An upstream or pipe model id (its settings row), or the id of a custom model. */
  id: string;
  user_id: string;
  /** Null for a settings row; the model a custom model is built on otherwise. */
  base_model_id: string | null;
  name: string;
  /** JSON `{ description?, filterIds?, defaultFilterIds?, actionIds?, toolIds?, capabilities?, … }` */
  meta: string;
  /** JSON of request parameters (`function_calling`, `temperature`, `system`, …). */
  params: string;
  /** JSON `{ read: {user_ids, group_ids}, write: {…} }` or null (public read). */
  access_control: string | null;
  is_active: ColumnType<boolean | number, boolean | number | undefined, boolean | number>;
  created_at: number;
  updated_at: number;
}

/** A chat answer being written by some instance; deleted when it ends, however it ends. */
export interface AnswerInProgressTable {
  id: string;
  chat_id: string;
  /** The assistant message the answer is saved to. */
  message_id: string;
  /** The chat's owner, checked again before the message is marked. */
  user_id: string;
  /** The instance writing it (`SLUICE_INSTANCE_ID`, else host name and process id). */
  instance_id: string;
  /** Epoch milliseconds, unlike the `*_at` columns: heartbeats may come more than once a second. */
  started_at_ms: number;
  /** Refreshed by the writing instance while it lives; long unrefreshed means the answer was cut. */
  heartbeat_at_ms: number;
}

/** A stored file's metadata; its bytes are in the file storage under `storage_key`. */
export interface FileTable {
  id: string;
  /** The owner: who uploaded it, or the user a plugin created it for. */
  user_id: string;
  /** The name it was uploaded with (no folders). */
  filename: string;
  content_type: string;
  /** Bytes. */
  size: number;
  /** sha256 of the bytes, hex. */
  hash: string;
  /** Where the storage keeps the bytes (a key, not a path: another storage may come later). */
  storage_key: string;
  created_at: number;
  updated_at: number;
}

/** One value a plugin keeps with `ctx.storage` (see `plugin-api/plugin-storage.ts`). */
export interface PluginStorageTable {
  /** `function` or `tool`: the table the plugin is saved in. */
  namespace: string;
  plugin_id: string;
  /** `""` for the plugin's own space (`ctx.storage`), else the user's id (`ctx.storage.user`). */
  user_id: string;
  key: string;
  /** JSON text. */
  value: string;
  /** UTF-8 bytes of key and value, summed for the plugin's total cap. */
  size: number;
  /** Epoch milliseconds after which the value is gone; null: kept until deleted. */
  expires_at_ms: number | null;
  /** Epoch milliseconds of the last write. */
  updated_at: number;
}

/**
 * A user's memory. SQLite also has an integer `seq` (the full-text index's key) and PostgreSQL a
 * generated `content_search` tsvector; only the memories repository's search reads them.
 */
export interface MemoryTable {
  id: string;
  user_id: string;
  content: string;
  /** `content`'s vector from `embedding_model`: float32 values, little-endian; null when none was made. */
  embedding: Uint8Array | null;
  embedding_model: string | null;
  created_at: number;
  updated_at: number;
}

/** One saved state of a function or tool (see migration 0010). */
export interface PluginVersionTable {
  id: string;
  /** `function` or `tool`. */
  namespace: string;
  plugin_id: string;
  /** 1 for the plugin's first save, then one more for each save. */
  number: number;
  /** Who saved it. */
  user_id: string;
  name: string;
  content: string;
  /** JSON of the row's `meta` at this save. */
  meta: string;
  /** What the saver wrote about the change; null when nothing. */
  message: string | null;
  created_at: number;
}

export interface Database {
  user: UserTable;
  api_key: ApiKeyTable;
  function: FunctionTable;
  tool: ToolTable;
  group: GroupTable;
  config: ConfigTable;
  chat: ChatTable;
  tag: TagTable;
  folder: FolderTable;
  model: ModelTable;
  answer_in_progress: AnswerInProgressTable;
  plugin_storage: PluginStorageTable;
  file: FileTable;
  memory: MemoryTable;
  plugin_version: PluginVersionTable;
}
