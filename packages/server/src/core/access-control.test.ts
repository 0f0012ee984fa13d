import { describe, expect, it } from "vitest";
import { canRead, canWrite, type Principal } from "./access-control.ts";

function user(id: string, role: Principal["role"] = "user", groupIds: string[] = []): Principal {
  return { id, role, groupIds };
}

describe("tool access control", () => {
  const owner = user("owner");
  const stranger = user("stranger");

  it("treats null as public read, owner-only write", () => {
    const tool = { user_id: "owner", access_control: null };
    expect(canRead(stranger, tool)).toBe(true);
    expect(canWrite(stranger, tool)).toBe(false);
    expect(canWrite(owner, tool)).toBe(true);
  });

  it("treats {} as private to the owner (and admins)", () => {
    const tool = { user_id: "owner", access_control: {} };
    expect(canRead(stranger, tool)).toBe(false);
    expect(canRead(owner, tool)).toBe(true);
    expect(canWrite(user("root", "admin"), tool)).toBe(true);
  });

  it("grants read or write to listed users and members of listed groups", () => {
    const tool = {
      user_id: "owner",
      access_control: { read: { user_ids: ["reader"], group_ids: ["team"] }, write: { user_ids: ["editor"], group_ids: [] } },
    };
    expect(canRead(user("reader"), tool)).toBe(true);
    expect(canWrite(user("reader"), tool)).toBe(false);
    expect(canRead(user("member", "user", ["team"]), tool)).toBe(true);
    expect(canWrite(user("editor"), tool)).toBe(true);
    expect(canRead(user("editor"), tool)).toBe(true);
    expect(canRead(stranger, tool)).toBe(false);
  });
});
