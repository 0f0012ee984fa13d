import { act, cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";

type Listener = (payload: unknown, acknowledge?: (answer: unknown) => void) => void;
const listeners = new Set<Listener>();

vi.mock("../realtime/socket-provider.tsx", () => ({
  useSocketEvent: (_channel: string, handler: Listener) => {
    listeners.add(handler);
  },
}));

const { PluginEventHost } = await import("./plugin-event-host.tsx");
const { ToastProvider } = await import("../ui/toasts.tsx");
const { chatList } = await import("./chat-list-store.ts");

function deliver(type: string, data: unknown, chatId: string | null = "c1"): Promise<unknown> {
  return new Promise((resolve) => {
    act(() => {
      for (const listener of listeners) listener({ chat_id: chatId, message_id: "m1", data: { type, data } }, resolve);
    });
  });
}

function renderHost(): void {
  const wrapper = ({ children }: { children: ReactNode }) => <ToastProvider>{children}</ToastProvider>;
  render(<PluginEventHost />, { wrapper });
}

afterEach(() => {
  cleanup();
  listeners.clear();
});

describe("PluginEventHost", () => {
  it("answers a confirmation with true when confirmed and false when closed", async () => {
    renderHost();
    const user = userEvent.setup();
    const confirmed = deliver("confirmation", { title: "Delete it?", message: "This is **final**." });
    expect(screen.getByRole("dialog", { name: "Delete it?" }).textContent).toContain("final");
    await user.click(screen.getByRole("button", { name: "Confirm" }));
    expect(await confirmed).toBe(true);
    expect(screen.queryByRole("dialog")).toBeNull();

    const closed = deliver("confirmation", { title: "Again?", message: "" });
    await user.keyboard("{Escape}");
    expect(await closed).toBe(false);
  });

  it("answers an input call with the text, or null when closed; one call at a time", async () => {
    renderHost();
    const user = userEvent.setup();
    const first = deliver("input", { title: "Your name", message: "Who?", placeholder: "Ada" });
    const second = deliver("input", { title: "Your key", message: "", type: "password" });
    expect(screen.getAllByRole("dialog")).toHaveLength(1);
    await user.type(screen.getByPlaceholderText("Ada"), "Grace{Enter}");
    expect(await first).toBe("Grace");
    const keyField = screen.getByRole("dialog", { name: "Your key" }).querySelector("input")!;
    expect(keyField.type).toBe("password");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(await second).toBeNull();
  });

  it("refuses execute calls, shows notifications as toasts and renames chats on chat:title", async () => {
    renderHost();
    const answer = await deliver("execute", { code: "alert(1)" });
    expect(answer).toMatchObject({ error: expect.stringContaining("not supported") });
    void deliver("notification", { type: "success", content: "Saved!" });
    expect(screen.getByRole("status").textContent).toContain("Saved!");
    chatList.upsert({ id: "c1", title: "New Chat", created_at: 1, updated_at: 1 });
    void deliver("chat:title", "Deploy questions");
    expect(chatList.get().chats.find((chat) => chat.id === "c1")?.title).toBe("Deploy questions");
  });
});
