import { describe, expect, it } from "vitest";
import { startServer } from "./helpers/start-server.ts";

describe("start-up failures", () => {
  it("exits with one clear line for a bad configuration", async () => {
    const failure = startServer({ kind: "sqlite", env: { DEFAULT_USER_ROLE: "owner" } });
    await expect(failure).rejects.toThrow(
      /exited before listening \(code 1[\s\S]*Sluice: invalid configuration: DEFAULT_USER_ROLE must be "pending" or "user", got "owner"/,
    );
  });

  it("exits with one clear line when the database cannot be reached, hiding the password", async () => {
    const failure = startServer({ kind: "sqlite", env: { DATABASE_URL: "postgres://sluice:hunter2@127.0.0.1:1/sluice" } });
    const error: Error = await failure.then(
      () => new Error("started"),
      (reason: Error) => reason,
    );
    expect(error.message).toMatch(/Sluice: Cannot open the database \(PostgreSQL at postgres:\/\/sluice:\*\*\*@127\.0\.0\.1:1\/sluice\)/);
    expect(error.message).not.toContain("hunter2");
  });
});
