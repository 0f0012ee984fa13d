import { afterEach, describe, expect, it, vi } from "vitest";
import { newId } from "./new-id.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("newId", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("makes distinct version-4 UUIDs without crypto.randomUUID (plain HTTP)", () => {
    const real = globalThis.crypto;
    vi.stubGlobal("crypto", { getRandomValues: (array: Uint8Array) => real.getRandomValues(array) });
    const stubbed = globalThis.crypto as Crypto;
    expect(stubbed.randomUUID).toBeUndefined();
    const ids = Array.from({ length: 100 }, () => newId());
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(100);
  });

  it("uses crypto.randomUUID where it exists", () => {
    expect(newId()).toMatch(UUID);
  });
});
