import { expect, it } from "vitest";
import { signUpAdmin } from "./helpers/accounts.ts";
import { expectError } from "./helpers/expect-error.ts";
import { useServer } from "./helpers/use-server.ts";

// Fixes issue, point 13: a 1-character admin password was accepted and sign-in had no throttling.

const sluice = useServer({ kind: "sqlite" });

it("refuses passwords shorter than 8 characters, on sign-up, change and an admin's reset", async () => {
  expectError(
    await sluice.api.post("/api/v1/auths/signup", { name: "Ada", email: "ada@example.com", password: "x" }),
    400,
    "at least 8 characters",
  );
  const admin = await signUpAdmin(sluice.url);
  expectError(
    await sluice.api.post("/api/v1/auths/update/password", { password: admin.password, new_password: "short" }, admin.token),
    400,
    "at least 8 characters",
  );
  expectError(
    await sluice.api.post(`/api/v1/users/${admin.id}/update`, { password: "1234567" }, admin.token),
    400,
    "at least 8 characters",
  );
  expect(
    (await sluice.api.post("/api/v1/auths/update/password", { password: admin.password, new_password: "12345678" }, admin.token)).status,
  ).toBe(200);
});

it("slows down repeated wrong passwords with 429 and Retry-After, even for the right one meanwhile", async () => {
  const account = { name: "Bea", email: "bea@example.com", password: "bea's long password" };
  expect((await sluice.api.post("/api/v1/auths/signup", account)).status).toBe(200);
  for (let n = 0; n < 4; n++)
    expectError(
      await sluice.api.post("/api/v1/auths/signin", { email: account.email, password: `guess ${n}` }),
      400,
      "Wrong email or password",
    );
  expectError(await sluice.api.post("/api/v1/auths/signin", { email: account.email, password: "guess 5" }), 400, "Wrong email or password");
  const throttled = await sluice.api.post("/api/v1/auths/signin", { email: account.email, password: account.password });
  expectError(throttled, 429, "Too many wrong passwords");
  expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  await new Promise((resolve) => setTimeout(resolve, Number(throttled.headers.get("retry-after")) * 1000 + 100));
  expect((await sluice.api.post("/api/v1/auths/signin", { email: account.email, password: account.password })).status).toBe(200);
});
