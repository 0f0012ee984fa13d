import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ToastProvider } from "../../ui/toasts.tsx";
import type { PluginRow } from "../plugin-api.ts";

const { pluginApi, auth } = vi.hoisted(() => ({
  pluginApi: { list: vi.fn(), toggle: vi.fn(), toggleGlobal: vi.fn(), remove: vi.fn(), updateAccess: vi.fn(), exportAll: vi.fn() },
  auth: {
    user: {
      id: "u1",
      name: "Ada",
      email: "ada@example.com",
      role: "admin" as string,
      permissions: {} as Record<string, Record<string, boolean>>,
    },
  },
}));
vi.mock("../plugin-api.ts", async (importOriginal) => ({ ...(await importOriginal<object>()), pluginApi }));
vi.mock("../../auth/auth-context.tsx", () => ({ useAuth: () => auth }));

const { PluginListPage } = await import("./plugin-list-page.tsx");

afterEach(cleanup);

function row(fields: Partial<PluginRow>): PluginRow {
  return {
    id: "x",
    user_id: "u1",
    name: "X",
    type: "filter",
    meta: { description: "", manifest: {} },
    is_active: false,
    is_global: false,
    load_error: null,
    loaded_at: null,
    created_at: 0,
    updated_at: 0,
    ...fields,
  };
}

const TURN_LIMIT = row({
  id: "turn_limit",
  name: "Turn Limit",
  meta: { description: "Stops long chats", manifest: { author: "jane", version: "1.2.0" }, has_user_valves: true },
});
const ECHO = row({ id: "echo", name: "Echo", type: "pipe", is_active: true, load_error: "Syntax error at line 3, column 1: Unexpected }" });

function renderPage(namespace: "functions" | "tools" = "functions") {
  render(
    <ToastProvider>
      <PluginListPage namespace={namespace} />
    </ToastProvider>,
  );
  return userEvent.setup();
}

describe("PluginListPage", () => {
  beforeEach(() => {
    vi.resetAllMocks();
    auth.user.role = "admin";
    auth.user.permissions = {};
  });

  it("lists functions with kind, author, version, load errors and switches", async () => {
    pluginApi.list.mockResolvedValue([TURN_LIMIT, ECHO]);
    renderPage();
    const items = await screen.findAllByRole("listitem");
    // Pipes first, then filters.
    expect(items.map((item) => item.querySelector(".plugin-name")?.textContent)).toEqual(["Echo", "Turn Limit"]);
    const turnLimit = screen.getByRole("listitem", { name: "Turn Limit" });
    expect(turnLimit.textContent).toContain("Filter");
    expect(turnLimit.textContent).toContain("v1.2.0 · by jane");
    expect(within(turnLimit).getByRole("switch", { name: "Global: Turn Limit" })).toBeTruthy();
    expect(within(turnLimit).getByRole("button", { name: "My settings for Turn Limit" })).toBeTruthy();
    const echo = screen.getByRole("listitem", { name: "Echo" });
    expect(echo.textContent).toContain("Does not load");
    // A pipe has no global switch.
    expect(within(echo).queryByRole("switch", { name: /Global/ })).toBeNull();
  });

  it("lists an event plugin (type event) after actions, with what it listens to and no global switch", async () => {
    const audit = row({
      id: "audit_log",
      name: "Audit log",
      type: "event",
      is_active: true,
      meta: { description: "", manifest: {}, events: ["chat.*", "function.disable_started"] },
    });
    pluginApi.list.mockResolvedValue([audit, TURN_LIMIT, ECHO]);
    renderPage();
    const items = await screen.findAllByRole("listitem");
    expect(items.map((item) => item.querySelector(".plugin-name")?.textContent)).toEqual(["Echo", "Turn Limit", "Audit log"]);
    const item = screen.getByRole("listitem", { name: "Audit log" });
    expect(item.querySelector(".kind-badge")?.textContent).toBe("Events");
    expect(item.textContent).toContain("Listens to chat.*, function.disable_started");
    expect((within(item).getByRole("switch", { name: "Active: Audit log" }) as HTMLInputElement).checked).toBe(true);
    expect(within(item).queryByRole("switch", { name: /Global/ })).toBeNull();
  });

  it("switches a function on and shows the server's refusal as a toast", async () => {
    pluginApi.list.mockResolvedValue([TURN_LIMIT]);
    pluginApi.toggle.mockResolvedValueOnce({ ...TURN_LIMIT, is_active: true }).mockRejectedValueOnce(new Error("The code does not load"));
    const user = renderPage();
    const active = await screen.findByRole("switch", { name: "Active: Turn Limit" });
    await user.click(active);
    expect(pluginApi.toggle).toHaveBeenCalledWith("turn_limit");
    expect((active as HTMLInputElement).checked).toBe(true);
    await user.click(active);
    expect((await screen.findByRole("alert")).textContent).toContain("Turn Limit: The code does not load");
  });

  it("deletes only after the confirmation", async () => {
    pluginApi.list.mockResolvedValue([TURN_LIMIT]);
    pluginApi.remove.mockResolvedValue(true);
    const user = renderPage();
    await user.click(await screen.findByRole("button", { name: "Delete Turn Limit" }));
    const dialog = screen.getByRole("dialog", { name: "Delete Turn Limit?" });
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(pluginApi.remove).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Delete Turn Limit" }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Delete" }));
    expect(pluginApi.remove).toHaveBeenCalledWith("functions", "turn_limit");
    expect(await screen.findByText("No functions yet")).toBeTruthy();
  });

  it("shows loading, then an empty state, and no create button to users without the permission", async () => {
    auth.user.role = "user";
    let resolve: (rows: PluginRow[]) => void = () => {};
    pluginApi.list.mockReturnValue(new Promise((done) => (resolve = done)));
    renderPage("tools");
    expect(screen.getByText("Loading tools…")).toBeTruthy();
    resolve([]);
    expect(await screen.findByText("No tools yet")).toBeTruthy();
    expect(screen.queryByRole("link", { name: "New tool" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Import" })).toBeNull();
  });

  it("lets a user with workspace.tools create tools and change their access", async () => {
    auth.user.role = "user";
    auth.user.permissions = { workspace: { tools: true } };
    const tool = row({ id: "calc", name: "Calculator", type: undefined, access_control: {}, write_access: true });
    pluginApi.list.mockResolvedValue([tool]);
    pluginApi.updateAccess.mockResolvedValue({ ...tool, access_control: null });
    const user = renderPage("tools");
    expect(await screen.findByRole("link", { name: "New tool" })).toBeTruthy();
    const access = screen.getByRole("combobox", { name: "Access to Calculator" }) as HTMLSelectElement;
    expect(access.value).toBe("private");
    await user.selectOptions(access, "public");
    expect(pluginApi.updateAccess).toHaveBeenCalledWith("calc", null);
    expect(access.value).toBe("public");
  });
});
