import { SignJWT } from "jose";
import { describe, expect, it, vi } from "vitest";
import { signToken, verifyToken } from "./jwt.ts";

const secret = Buffer.from("test secret key, long enough for HS256");

describe("signToken / verifyToken", () => {
  it("round-trips the user id", async () => {
    const { token, expiresAt } = await signToken(secret, "user-1", 0);
    expect(expiresAt).toBeNull();
    expect(await verifyToken(secret, token)).toEqual({ isValid: true, userId: "user-1", tokenVersion: 0 });
  });

  it("carries the user's token version; tokens from before versions count as version 0", async () => {
    const { token } = await signToken(secret, "user-1", 0, 3);
    expect(await verifyToken(secret, token)).toMatchObject({ isValid: true, tokenVersion: 3 });
    const old = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("user-1").sign(secret);
    expect(await verifyToken(secret, old)).toMatchObject({ isValid: true, tokenVersion: 0 });
  });

  it("sets an expiry when asked", async () => {
    const before = Math.floor(Date.now() / 1000);
    const { token, expiresAt } = await signToken(secret, "user-1", 3600);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3600);
    expect((await verifyToken(secret, token)).isValid).toBe(true);
  });

  it("rejects an expired token, saying so", async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("user-1")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(secret);
    expect(await verifyToken(secret, token)).toEqual({ isValid: false, reason: "Your session has expired; sign in again" });
  });

  it("rejects tokens signed with another key, tampered with, or not tokens at all", async () => {
    const { token } = await signToken(secret, "user-1", 0);
    expect((await verifyToken(Buffer.from("another key"), token)).isValid).toBe(false);
    const [header, , signature] = token.split(".");
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: "admin" })).toString("base64url")}.${signature}`;
    expect((await verifyToken(secret, forged)).isValid).toBe(false);
    expect((await verifyToken(secret, "not a token")).isValid).toBe(false);
  });

  it("rejects unsigned tokens (alg none)", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    const payload = Buffer.from(JSON.stringify({ sub: "user-1" })).toString("base64url");
    expect((await verifyToken(secret, `${header}.${payload}.`)).isValid).toBe(false);
  });
});

describe("verifyToken on a token it has checked before", () => {
  it("still refuses it once it has expired", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const { token } = await signToken(secret, "user-2", 60);
      expect(await verifyToken(secret, token)).toMatchObject({ isValid: true, userId: "user-2" });
      vi.setSystemTime(Date.now() + 61_000);
      expect(await verifyToken(secret, token)).toEqual({ isValid: false, reason: "Your session has expired; sign in again" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("still refuses it under another key", async () => {
    const { token } = await signToken(secret, "user-3", 0);
    expect((await verifyToken(secret, token)).isValid).toBe(true);
    expect((await verifyToken(Buffer.from("another key, long enough for HS256"), token)).isValid).toBe(false);
  });
});
