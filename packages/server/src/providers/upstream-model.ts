/**
 * A model offered by one of the configured OpenAI-compatible connections.
 *
 * @example
 * const model: UpstreamModel = { id: "gpt-4o", name: "gpt-4o", owned_by: "openai", connectionIndex: 0, raw: { id: "gpt-4o" } };
 */
export interface UpstreamModel {
  /** The id chats name it by: the upstream's, after the connection's `prefixId` and a dot when it has one. */
  id: string;
  /** The id the upstream knows it by, when the connection's prefix made `id` differ. */
  upstreamId?: string;
  /** The upstream's `name` when it gives one, else the id. */
  name: string;
  /** The upstream's `owned_by`, `"openai"` when absent (as Open WebUI shows it). */
  owned_by: string;
  /** Position of the connection in `Config.openaiConnections` that serves this model. */
  connectionIndex: number;
  /** The entry of the upstream's `GET /models` list as it came. */
  raw: Record<string, unknown>;
}
