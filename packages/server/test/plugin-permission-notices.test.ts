import { expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";
import { TRUSTED_TIER_NOTICE } from "../src/plugins/load-trusted-plugin.ts";
import { PYTHON_TIER_NOTICE } from "../src/plugins/load-python-plugin.ts";

const trustedFilter = `/**
 * title: Trusted
 * permissions: node
 */
import { defineFilter } from "@sluice/sdk";
export default defineFilter({ inlet: (body) => body });
`;

/** Pasted from Open WebUI without a permissions line: it asks for the Python tier and the internet. */
const pythonFilter = `"""
title: Python Filter
"""
class Filter:
    def inlet(self, body: dict) -> dict:
        return body
`;

// What an admin reads before approving: GET …/permissions gives the server's own notices, the
// same text the approval answers with.
describeEachDatabase("permission notices before an approval", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let user: TestAccount;

  it("sets up an admin and a user", async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
  });

  it("tells what approving a trusted-tier function grants, and nothing waits once approved", async () => {
    const created = await sluice.api.post(
      "/api/v1/functions/create",
      { id: "trusted", name: "Trusted", content: trustedFilter },
      admin.token,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const report = await sluice.api.get("/api/v1/functions/id/trusted/permissions", admin.token);
    expect(report.status).toBe(200);
    expect(report.body).toEqual({
      content_hash: created.body.content_hash,
      requested: ["node"],
      granted: [],
      waiting: ["node"],
      notices: [TRUSTED_TIER_NOTICE],
    });
    const approved = await sluice.api.post(
      "/api/v1/functions/id/trusted/permissions/approve",
      { content_hash: report.body.content_hash },
      admin.token,
    );
    expect(approved.body.notices).toEqual(report.body.notices);
    expect((await sluice.api.get("/api/v1/functions/id/trusted/permissions", admin.token)).body.waiting).toEqual([]);
  });

  it("tells what approving a Python function grants; once approved it loads and its row has no error", async () => {
    const created = await sluice.api.post("/api/v1/functions/create", { id: "py_filter", name: "Py", content: pythonFilter }, admin.token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    // Opening it before approval records why it does not run yet.
    expect((await sluice.api.get("/api/v1/functions/id/py_filter", admin.token)).body.load_error).toContain(
      "only after an admin approves it",
    );
    const report = await sluice.api.get("/api/v1/functions/id/py_filter/permissions", admin.token);
    expect(report.body.waiting).toContain("python");
    expect(report.body.notices[0]).toBe(PYTHON_TIER_NOTICE);
    expect(report.body.notices[1]).toContain("may reach any host on the internet");

    const approved = await sluice.api.post(
      "/api/v1/functions/id/py_filter/permissions/approve",
      { content_hash: report.body.content_hash },
      admin.token,
    );
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.load_error).toBeNull();
    expect((await sluice.api.get("/api/v1/functions/id/py_filter", admin.token)).body.load_error).toBeNull();
  });

  it("is for admins only, and 404 for unknown plugins", async () => {
    expectError(await sluice.api.get("/api/v1/functions/id/trusted/permissions", user.token), 403);
    expectError(await sluice.api.get("/api/v1/tools/id/trusted/permissions", user.token), 403);
    expectError(await sluice.api.get("/api/v1/functions/id/nope/permissions", admin.token), 404);
    expectError(await sluice.api.get("/api/v1/tools/id/nope/permissions", admin.token), 404);
  });
});
