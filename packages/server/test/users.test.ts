import { expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";

describeEachDatabase("user and group administration", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let alice: TestAccount;
  let bob: TestAccount;

  it("sets up an admin and two users", async () => {
    admin = await signUpAdmin(sluice.url);
    alice = await signUpUser(sluice.url, admin);
    bob = await signUpUser(sluice.url, admin);
  });

  it("shows one user to an admin, and 404 for an unknown id", async () => {
    const { status, body } = await sluice.api.get(`/api/v1/users/${alice.id}`, admin.token);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: alice.id, email: alice.email, role: "user", group_ids: [] });
    expectError(await sluice.api.get("/api/v1/users/no-such-user", admin.token), 404, "User not found");
  });

  it("edits a user's name and email, refusing an email already taken", async () => {
    const renamed = await sluice.api.post(
      `/api/v1/users/${alice.id}/update`,
      { name: "Alice", email: "Alice.New@Example.com" },
      admin.token,
    );
    expect(renamed.body).toMatchObject({ name: "Alice", email: "alice.new@example.com" });
    alice.email = "alice.new@example.com";
    expectError(await sluice.api.post(`/api/v1/users/${alice.id}/update`, { email: bob.email }, admin.token), 400, "already registered");
    expectError(await sluice.api.post(`/api/v1/users/${alice.id}/update`, { role: "owner" }, admin.token), 400, "role");
  });

  it("keeps at least one admin", async () => {
    expectError(await sluice.api.post(`/api/v1/users/${admin.id}/update`, { role: "user" }, admin.token), 400, "only admin");
    // With a second admin, the first may step down.
    await sluice.api.post(`/api/v1/users/${bob.id}/update`, { role: "admin" }, admin.token);
    expect((await sluice.api.post(`/api/v1/users/${bob.id}/update`, { role: "user" }, admin.token)).body.role).toBe("user");
    expect((await sluice.api.get("/api/v1/auths/", admin.token)).body.role).toBe("admin");
  });

  it("serves default permissions, tools off until an admin turns them on", async () => {
    expect((await sluice.api.get("/api/v1/users/permissions/default", admin.token)).body).toEqual({ workspace: { tools: false } });
    expect((await sluice.api.get("/api/v1/users/permissions", alice.token)).body).toEqual({ workspace: { tools: false } });
    expectError(await sluice.api.get("/api/v1/users/permissions/default", alice.token), 403);
    expectError(
      await sluice.api.post("/api/v1/users/permissions/default", { workspace: { tools: "yes" } }, admin.token),
      400,
      "workspace.tools",
    );
  });

  it("grants permissions through a group to its members only", async () => {
    const created = await sluice.api.post(
      "/api/v1/groups/create",
      { name: "Builders", description: "may write tools", user_ids: [alice.id], permissions: { workspace: { tools: true } } },
      admin.token,
    );
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: "Builders", user_ids: [alice.id], permissions: { workspace: { tools: true } } });
    const groupId = created.body.id;

    expect((await sluice.api.get("/api/v1/users/permissions", alice.token)).body).toEqual({ workspace: { tools: true } });
    expect((await sluice.api.get("/api/v1/users/permissions", bob.token)).body).toEqual({ workspace: { tools: false } });
    expect((await sluice.api.get(`/api/v1/users/${alice.id}`, admin.token)).body.group_ids).toEqual([groupId]);
    expect((await sluice.api.get("/api/v1/groups/", admin.token)).body.map((group: { id: string }) => group.id)).toEqual([groupId]);

    const moved = await sluice.api.post(`/api/v1/groups/id/${groupId}/update`, { user_ids: [bob.id] }, admin.token);
    expect(moved.body).toMatchObject({ name: "Builders", user_ids: [bob.id] });
    expect((await sluice.api.get("/api/v1/users/permissions", alice.token)).body).toEqual({ workspace: { tools: false } });
    expect((await sluice.api.get("/api/v1/users/permissions", bob.token)).body).toEqual({ workspace: { tools: true } });

    expect((await sluice.api.delete(`/api/v1/groups/id/${groupId}/delete`, admin.token)).status).toBe(200);
    expect((await sluice.api.get("/api/v1/users/permissions", bob.token)).body).toEqual({ workspace: { tools: false } });
    expectError(await sluice.api.delete(`/api/v1/groups/id/${groupId}/delete`, admin.token), 404, "Group not found");
  });

  it("refuses groups with unknown members or no name, and keeps groups from non-admins", async () => {
    expectError(await sluice.api.post("/api/v1/groups/create", { name: "Ghosts", user_ids: ["nobody"] }, admin.token), 400, "nobody");
    expectError(await sluice.api.post("/api/v1/groups/create", { name: "" }, admin.token), 400, "name");
    // A user sees only the groups it belongs to (to share with them); Alice is in none now.
    expect((await sluice.api.get("/api/v1/groups/", alice.token)).body).toEqual([]);
    expectError(await sluice.api.post("/api/v1/groups/create", { name: "Mine" }, alice.token), 403);
  });

  it("grants permissions to one user directly and applies new defaults to everyone", async () => {
    await sluice.api.post(`/api/v1/users/${alice.id}/update`, { permissions: { workspace: { tools: true } } }, admin.token);
    expect((await sluice.api.get("/api/v1/users/permissions", alice.token)).body).toEqual({ workspace: { tools: true } });
    await sluice.api.post("/api/v1/users/permissions/default", { workspace: { tools: true } }, admin.token);
    expect((await sluice.api.get("/api/v1/users/permissions", bob.token)).body).toEqual({ workspace: { tools: true } });
    // Open WebUI's path for the same setting.
    expect((await sluice.api.get("/api/v1/users/default/permissions", admin.token)).body).toEqual({ workspace: { tools: true } });
  });

  it("deletes a user, whose token then stops working, but not the admin itself", async () => {
    expectError(await sluice.api.delete(`/api/v1/users/${admin.id}`, admin.token), 400, "your own account");
    expect((await sluice.api.delete(`/api/v1/users/${bob.id}`, admin.token)).status).toBe(200);
    expectError(await sluice.api.get("/api/v1/auths/", bob.token), 401, "no longer exists");
    expectError(await sluice.api.delete(`/api/v1/users/${bob.id}`, admin.token), 404);
    expect((await sluice.api.get("/api/v1/users/", admin.token)).body.map((user: { id: string }) => user.id).sort()).toEqual(
      [admin.id, alice.id].sort(),
    );
  });
});
