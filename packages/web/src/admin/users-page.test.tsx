import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ToastProvider } from "../ui/toasts.tsx";
import type { UserRow } from "./user-api.ts";

const { userApi } = vi.hoisted(() => ({
  userApi: {
    list: vi.fn(),
    update: vi.fn(),
    defaultPermissions: vi.fn(),
    setDefaultPermissions: vi.fn(),
    signUpConfig: vi.fn(async () => ({ ENABLE_SIGNUP: true, DEFAULT_USER_ROLE: "pending" })),
  },
}));
vi.mock("./user-api.ts", async (importOriginal) => ({ ...(await importOriginal<object>()), userApi }));
vi.mock("../auth/auth-context.tsx", () => ({
  useAuth: () => ({ user: { id: "admin-1", name: "Ada", email: "ada@example.com", role: "admin" } }),
}));
const { UsersPage } = await import("./users-page.tsx");

afterEach(cleanup);

function user(fields: Partial<UserRow>): UserRow {
  return {
    id: "x",
    name: "X",
    email: "x@example.com",
    role: "user",
    permissions: {},
    group_ids: [],
    created_at: 1_700_000_000,
    updated_at: 0,
    last_active_at: 0,
    ...fields,
  };
}

const ADA = user({ id: "admin-1", name: "Ada", role: "admin" });
const GRACE = user({ id: "u-2", name: "Grace", role: "pending", permissions: { chat: { delete: true } } });

describe("UsersPage", () => {
  beforeEach(() => {
    vi.resetAllMocks();
    userApi.list.mockResolvedValue([ADA, GRACE]);
    userApi.defaultPermissions.mockResolvedValue({});
  });

  it("lists pending accounts first and approves one", async () => {
    userApi.update.mockResolvedValue({ ...GRACE, role: "user" });
    render(
      <ToastProvider>
        <UsersPage />
      </ToastProvider>,
    );
    const items = await screen.findAllByRole("listitem");
    expect(items.map((item) => item.getAttribute("aria-label"))).toEqual(["Grace", "Ada"]);
    expect(screen.getByText(/1 waiting for approval/)).toBeTruthy();
    await userEvent.click(within(items[0]!).getByRole("button", { name: "Approve" }));
    expect(userApi.update).toHaveBeenCalledWith("u-2", { role: "user" });
    expect(await screen.findByText("Approved Grace")).toBeTruthy();
    expect(within(screen.getByRole("listitem", { name: "Grace" })).queryByRole("button", { name: "Approve" })).toBeNull();
  });

  it("grants workspace.tools while keeping the user's other permissions, and guards the admin's own role", async () => {
    userApi.update.mockResolvedValue({ ...GRACE, permissions: { chat: { delete: true }, workspace: { tools: true } } });
    render(
      <ToastProvider>
        <UsersPage />
      </ToastProvider>,
    );
    await userEvent.click(await screen.findByRole("switch", { name: "Grace may create tools" }));
    expect(userApi.update).toHaveBeenCalledWith("u-2", { permissions: { chat: { delete: true }, workspace: { tools: true } } });
    expect((screen.getByRole("combobox", { name: "Role of Ada" }) as HTMLSelectElement).disabled).toBe(true);
    expect((screen.getByRole("switch", { name: "Ada may create tools" }) as HTMLInputElement).disabled).toBe(true);
  });
});
