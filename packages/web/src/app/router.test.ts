import { describe, expect, it, vi } from "vitest";
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

describe("useLeaveGuard", () => {
  it("asks before in-app navigation while set, stays on No, and stops asking once cleared", async () => {
    const { renderHook } = await import("@testing-library/react");
    const { useLeaveGuard } = await import("./router.tsx");
    navigate("/workspace/functions/x", { replace: true });
    const asked: string[] = [];
    let answer = false;
    const confirm = vi.spyOn(window, "confirm").mockImplementation((question) => {
      asked.push(String(question));
      return answer;
    });
    const guard = renderHook(({ question }: { question: string | null }) => useLeaveGuard(question), {
      initialProps: { question: "Leave without saving?" as string | null },
    });

    navigate("/");
    expect(asked).toEqual(["Leave without saving?"]);
    expect(window.location.pathname).toBe("/workspace/functions/x");

    navigate("/workspace/functions/y", { replace: true, isLeaveConfirmed: true });
    expect(asked).toHaveLength(1);
    expect(window.location.pathname).toBe("/workspace/functions/y");

    answer = true;
    navigate("/");
    expect(asked).toHaveLength(2);
    expect(window.location.pathname).toBe("/");

    guard.rerender({ question: null });
    navigate("/c/1");
    expect(asked).toHaveLength(2);
    expect(window.location.pathname).toBe("/c/1");
    guard.unmount();
    confirm.mockRestore();
  });
});
