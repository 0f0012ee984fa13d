import { expect } from "vitest";
import type { Api } from "./api.ts";

/** A plugin in each tier: the isolated one by default, the trusted one with `permissions: node`. */
export const PLUGIN_TIERS = [
  { tier: "isolated", frontmatter: "" },
  { tier: "trusted", frontmatter: " * permissions: node\n" },
] as const;

/**
 * Stores a function as an admin, approves it when it runs in a tier that needs approval, and
 * switches it on; fails the test (with the server's answer) at the first step that does not work.
 *
 * @example
 * await installFunction(sluice.api, admin.token, "counter", source, { approve: tier === "trusted" });
 */
export async function installFunction(
  api: Api,
  adminToken: string,
  id: string,
  content: string,
  options: { approve: boolean },
): Promise<void> {
  const created = await api.post("/api/v1/functions/create", { id, name: id, content }, adminToken);
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  if (options.approve) {
    const approved = await api.post(`/api/v1/functions/id/${id}/permissions/approve`, {}, adminToken);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  }
  expect((await api.post(`/api/v1/functions/id/${id}/toggle`, undefined, adminToken)).body.is_active).toBe(true);
}
