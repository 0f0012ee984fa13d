import { describe, expect, it } from "vitest";
import { accessControlOf, grantsOf } from "./access-grants.ts";

describe("access grants", () => {
  it("reads Open WebUI's access_control, a writer once", () => {
    expect(grantsOf({ read: { group_ids: ["g1"], user_ids: ["u1", "u2"] }, write: { group_ids: [], user_ids: ["u2"] } })).toEqual([
      { kind: "user", id: "u2", canWrite: true },
      { kind: "group", id: "g1", canWrite: false },
      { kind: "user", id: "u1", canWrite: false },
    ]);
    expect(grantsOf(null)).toEqual([]);
  });

  it("writes writers as readers too, and null for public", () => {
    expect(
      accessControlOf(false, [
        { kind: "group", id: "g1", canWrite: true },
        { kind: "user", id: "u1", canWrite: false },
      ]),
    ).toEqual({
      read: { group_ids: ["g1"], user_ids: ["u1"] },
      write: { group_ids: ["g1"], user_ids: [] },
    });
    expect(accessControlOf(true, [{ kind: "user", id: "u1", canWrite: false }])).toBeNull();
    expect(accessControlOf(false, [])).toEqual({ read: { group_ids: [], user_ids: [] }, write: { group_ids: [], user_ids: [] } });
  });
});
