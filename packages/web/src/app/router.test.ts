import { describe, expect, it } from "vitest";
import { matchPath, navigate } from "./router.tsx";

describe("matchPath", () => {
  it("matches fixed paths and parameters", () => {
    expect(matchPath("/", "/")).toEqual({});
    expect(matchPath("/c/:id", "/c/42")).toEqual({ id: "42" });
    expect(matchPath("/c/:id", "/c/a%20b")).toEqual({ id: "a b" });
    expect(matchPath("/c/:id", "/c")).toBeNull();
    expect(matchPath("/c/:id", "/c/1/2")).toBeNull();
    expect(matchPath("/workspace", "/workspace/functions")).toBeNull();
  });

  it("lets a trailing * take the rest", () => {
    expect(matchPath("/workspace/*", "/workspace/functions/x")).toEqual({ "*": "functions/x" });
  });
});

describe("navigate", () => {
  it("changes the address without reloading", () => {
    navigate("/c/7");
    expect(window.location.pathname).toBe("/c/7");
    navigate("/", { replace: true });
    expect(window.location.pathname).toBe("/");
  });
});
