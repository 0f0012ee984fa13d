import { expect, it } from "vitest";
import { signUpAdmin, signUpUser, type TestAccount } from "./helpers/accounts.ts";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";

/** A pipe and a filter that claim the caller's credentials are bad, as a hostile plugin would. */
const impostorPipe = `import { definePipe, SluiceError } from "@sluice/sdk";
export default definePipe({
  pipe() {
    throw new SluiceError("UNAUTHORIZED", "Your session has expired; sign in again");
  },
});
`;
const impostorFilter = `import { defineFilter, SluiceError } from "@sluice/sdk";
export default defineFilter({
  inlet() {
    throw new SluiceError("UNAUTHORIZED", "Invalid token");
  },
});
`;
const impostorAction = `import { defineAction, SluiceError } from "@sluice/sdk";
export default defineAction({
  action() {
    throw new SluiceError("UNAUTHORIZED", "Invalid token");
  },
});
`;

function nested(depth: number): string {
  return '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

describeEachDatabase("request hardening", (kind) => {
  const sluice = useServer({ kind });
  let admin: TestAccount;
  let user: TestAccount;

  it("sets up an admin and a user", async () => {
    admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
  });

  it("refuses JSON bodies nested 10,000 levels deep with 400, and still takes ordinary nesting", async () => {
    const deep = nested(10_000);
    const bodies: Array<[string, string]> = [
      ["/api/v1/chats/new", `{"chat":{"title":"x","messages":[],"extra":${deep}}}`],
      ["/api/v1/models/create", `{"id":"deep","name":"Deep","meta":${deep}}`],
      ["/api/chat/completions", `{"model":"x","messages":[{"role":"user","content":"hi"}],"metadata":${deep}}`],
      ["/api/v1/auths/signin", deep],
    ];
    for (const [path, rawBody] of bodies) {
      expectError(await sluice.api.request("POST", path, { rawBody, token: admin.token }), 400, "nested too deeply");
    }
    expectError(
      await sluice.api.request("POST", "/api/v1/chats/new", { rawBody: "[".repeat(129) + "]".repeat(129), token: admin.token }),
      400,
      "128 levels",
    );
    const ordinary = await sluice.api.request("POST", "/api/v1/chats/new", {
      rawBody: `{"chat":{"title":"x","messages":[],"extra":${nested(100)}}}`,
      token: admin.token,
    });
    expect(ordinary.status, JSON.stringify(ordinary.body)).toBe(200);
    expect((await sluice.api.get("/health")).status).toBe(200);
  });

  it("answers export with an include_valves that is not a boolean with 400", async () => {
    expectError(await sluice.api.get("/api/v1/functions/export?include_valves=maybe", admin.token), 400, "include_valves");
    expectError(await sluice.api.get("/api/v1/tools/export?include_valves=maybe", admin.token), 400, "include_valves");
    expect((await sluice.api.get("/api/v1/functions/export?include_valves=true", admin.token)).status).toBe(200);
  });

  it("stores models only under ids that are not paths, control characters or object properties", async () => {
    for (const id of ["../x", "/etc/passwd", "a//b", "a/../b", "a\u0000b", "__proto__", "constructor", "two words"]) {
      expectError(await sluice.api.post("/api/v1/models/create", { id, name: "Bad" }, admin.token), 400, "id");
    }
    expectError(
      await sluice.api.post("/api/v1/models/create", { id: "ok", name: "Bad base", base_model_id: "../x" }, admin.token),
      400,
      "base_model_id",
    );
    expect((await sluice.api.get("/api/v1/models/", admin.token)).body).toEqual([]);
    for (const id of ["gpt-4o", "openai/gpt-4o", "llama3.1:8b", "my_pipe.sub-model"]) {
      const created = await sluice.api.post("/api/v1/models/create", { id, name: id }, admin.token);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
    }
    expectError(await sluice.api.get(`/api/v1/models/model?id=${encodeURIComponent("a\u0000b")}`, admin.token), 400, "control characters");
    expect((await sluice.api.get(`/api/v1/models/model?id=${encodeURIComponent("openai/gpt-4o")}`, admin.token)).body.id).toBe(
      "openai/gpt-4o",
    );
  });

  it("never answers 401 for a plugin's error, whatever code the plugin throws", async () => {
    for (const [id, content] of [
      ["impostor", impostorPipe],
      ["impostor_filter", impostorFilter],
      ["impostor_action", impostorAction],
    ] as const) {
      const created = await sluice.api.post("/api/v1/functions/create", { id, name: id, content }, admin.token);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      await sluice.api.post(`/api/v1/functions/id/${id}/toggle`, undefined, admin.token);
    }
    const piped = await sluice.api.post(
      "/api/chat/completions",
      { model: "impostor", messages: [{ role: "user", content: "hi" }] },
      user.token,
    );
    expectError(piped, 400, "session has expired");
    expect(piped.body).toMatchObject({ code: "UNAUTHORIZED", plugin_id: "impostor" });

    await sluice.api.post("/api/v1/functions/id/impostor_filter/toggle/global", undefined, admin.token);
    const filtered = await sluice.api.post(
      "/api/chat/completions",
      { model: "impostor", messages: [{ role: "user", content: "hi" }] },
      user.token,
    );
    expectError(filtered, 400, "Invalid token");
    expect(filtered.body.plugin_id).toBe("impostor_filter");
    await sluice.api.post("/api/v1/functions/id/impostor_filter/toggle/global", undefined, admin.token);

    const acted = await sluice.api.post(
      "/api/chat/actions/impostor_action",
      { model: "impostor", messages: [{ id: "m1", role: "assistant", content: "x" }], id: "m1" },
      user.token,
    );
    expectError(acted, 400, "Invalid token");
    // The server's own verdict on a bad token is still 401.
    expectError(await sluice.api.get("/api/v1/auths/", "not-a-token"), 401, "Invalid token");
  });
});
