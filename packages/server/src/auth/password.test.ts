import { describe, expect, it } from "vitest";
import { decoyPasswordHash, hashPassword, verifyPassword } from "./password.ts";

describe("hashPassword / verifyPassword", () => {
  it("accepts the right password and rejects a wrong one", async () => {
    const hash = await hashPassword("correct horse");
    expect(await verifyPassword("correct horse", hash)).toBe(true);
    expect(await verifyPassword("correct horsE", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts: the same password hashes differently each time and never appears in the hash", async () => {
    const [first, second] = await Promise.all([hashPassword("secret"), hashPassword("secret")]);
    expect(first).not.toBe(second);
    expect(first).not.toContain("secret");
    expect(first).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  });

  it("verifies hashes made with other cost parameters", async () => {
    const hash = await hashPassword("pw");
    const [, , , , salt] = hash.split("$");
    const { scryptSync } = await import("node:crypto");
    const weaker = [
      "scrypt",
      1024,
      8,
      1,
      salt,
      scryptSync("pw", Buffer.from(salt, "base64"), 32, { N: 1024, r: 8, p: 1 }).toString("base64"),
    ].join("$");
    expect(await verifyPassword("pw", weaker)).toBe(true);
  });

  it("treats malformed stored hashes as a mismatch instead of throwing", async () => {
    for (const broken of ["", "plain", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$c2FsdA==$aGFzaA==", "scrypt$16384$8$1$$"]) {
      expect(await verifyPassword("pw", broken)).toBe(false);
    }
  });

  it("has a decoy hash that matches nothing", async () => {
    expect(await verifyPassword("", await decoyPasswordHash())).toBe(false);
  });
});
