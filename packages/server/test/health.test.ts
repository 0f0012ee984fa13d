import { expect, it } from "vitest";
import { describeEachDatabase } from "./helpers/describe-each-database.ts";
import { useServer } from "./helpers/use-server.ts";

describeEachDatabase("health", (kind) => {
  const sluice = useServer({ kind });

  it("answers GET /health with {status: true}", async () => {
    const { status, body } = await sluice.api.get("/health");
    expect(status).toBe(200);
    expect(body).toEqual({ status: true });
  });

  it("answers GET /health/db once the database is reachable", async () => {
    expect((await sluice.api.get("/health/db")).body).toEqual({ status: true });
  });
});
