import { describe, expect, it } from "vitest";
import { atob, btoa } from "./base64.ts";

describe("btoa and atob", () => {
  it("agree with Node's for every length and all Latin-1 characters", () => {
    const latin1 = Array.from({ length: 256 }, (_, code) => String.fromCharCode(code)).join("");
    for (let length = 0; length <= 12; length++) {
      const text = latin1.slice(100, 100 + length);
      expect(btoa(text)).toBe(globalThis.btoa(text));
      expect(atob(btoa(text))).toBe(text);
    }
    expect(btoa(latin1)).toBe(globalThis.btoa(latin1));
    expect(atob(globalThis.btoa(latin1))).toBe(latin1);
  });

  it("forgives whitespace and missing padding, like the web's atob", () => {
    expect(atob(" aGVs\nbG8 ")).toBe("hello");
    expect(atob("aGVsbG8")).toBe("hello");
    expect(atob("aGk=")).toBe(globalThis.atob("aGk="));
  });

  it("throws InvalidCharacterError on bad input", () => {
    for (const bad of ["a", "aGk===", "aG=k", "a-b_", "€"]) {
      expect(() => atob(bad), bad).toThrow(expect.objectContaining({ name: "InvalidCharacterError" }));
      expect(() => globalThis.atob(bad), bad).toThrow();
    }
    expect(() => btoa("café ☕")).toThrow(expect.objectContaining({ name: "InvalidCharacterError" }));
  });
});
