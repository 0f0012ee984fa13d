import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiError } from "../../api/api-error.ts";
import { ToastProvider } from "../../ui/toasts.tsx";
import type { SourceLocation } from "./parse-load-error.ts";

const { pluginApi, navigate, revealPosition } = vi.hoisted(() => ({
  pluginApi: { get: vi.fn(), create: vi.fn(), update: vi.fn(), approvePermissions: vi.fn(), permissions: vi.fn() },
  navigate: vi.fn(),
  revealPosition: vi.fn(),
}));
vi.mock("../plugin-api.ts", async (importOriginal) => ({ ...(await importOriginal<object>()), pluginApi }));
vi.mock("../../auth/auth-context.tsx", () => ({
  useAuth: () => ({ user: { id: "u1", name: "Ada", email: "a@example.com", role: "admin" } }),
}));
vi.mock("../../app/router.tsx", () => ({
  navigate,
  useLeaveGuard: () => {},
  Link: ({ to, children, ...rest }: { to: string; children: unknown }) => (
    <a href={to} {...rest}>
      {children as string}
    </a>
  ),
}));
// Monaco does not run in jsdom: a text area stands in, showing the server's markers.
vi.mock("./code-editor.tsx", async () => {
  const { useImperativeHandle, useState } = await import("react");
  return {
    CodeEditor({
      initialValue,
      onChange,
      serverErrors,
      label,
      ref,
    }: {
      initialValue: string;
      onChange(value: string): void;
      serverErrors: SourceLocation[];
      label: string;
      ref: unknown;
    }) {
      const [text, setText] = useState(initialValue);
      useImperativeHandle(ref as never, () => ({ revealPosition }));
      return (
        <div>
          <textarea aria-label={label} value={text} onChange={(event) => (setText(event.target.value), onChange(event.target.value))} />
          <output aria-label="markers">{serverErrors.map((error) => `${error.line}:${error.column}`).join(",")}</output>
        </div>
      );
    },
  };
});

const { PluginEditorPage } = await import("./plugin-editor-page.tsx");
const { PLUGIN_TEMPLATES } = await import("./plugin-templates.ts");

afterEach(cleanup);
beforeEach(() => vi.resetAllMocks());

function renderEditor(props: Parameters<typeof PluginEditorPage>[0]) {
  render(
    <ToastProvider>
      <PluginEditorPage {...props} />
    </ToastProvider>,
  );
  return userEvent.setup();
}

describe("PluginEditorPage", () => {
  it("starts a new plugin from its kind's template and derives the id from the name", async () => {
    const user = renderEditor({ namespace: "functions", kind: "action" });
    expect((screen.getByLabelText(/^Code of/) as HTMLTextAreaElement).value).toBe(PLUGIN_TEMPLATES.action);
    await user.type(screen.getByLabelText("Name"), "Loud Button");
    expect((screen.getByLabelText("ID") as HTMLInputElement).value).toBe("loud_button");
  });

  it("creates the plugin and opens its page", async () => {
    pluginApi.create.mockResolvedValue({ id: "loud_button", name: "Loud Button", meta: {}, content: PLUGIN_TEMPLATES.action });
    const user = renderEditor({ namespace: "functions", kind: "action" });
    await user.type(screen.getByLabelText("Name"), "Loud Button");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(pluginApi.create).toHaveBeenCalledWith(
      "functions",
      expect.objectContaining({ id: "loud_button", name: "Loud Button", content: PLUGIN_TEMPLATES.action }),
    );
    expect(navigate).toHaveBeenCalledWith("/workspace/functions/loud_button", { replace: true, isLeaveConfirmed: true });
  });

  it("shows the load error with its line, marks it, and keeps the text", async () => {
    const detail = 'Syntax error at line 4, column 12: Expected ";" but found "x"';
    pluginApi.get.mockResolvedValue({
      id: "shout",
      name: "Shout",
      type: "action",
      meta: {},
      content: PLUGIN_TEMPLATES.action,
      load_error: null,
    });
    pluginApi.update.mockRejectedValue(new ApiError(400, detail, { detail, code: "PLUGIN_LOAD_FAILED" }));
    const user = renderEditor({ namespace: "functions", id: "shout" });
    const code = (await screen.findByLabelText("Code of Shout")) as HTMLTextAreaElement;
    await user.type(code, "oops");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toContain(detail);
    expect(screen.getByLabelText("markers").textContent).toBe("4:12");
    expect(code.value).toBe(`${PLUGIN_TEMPLATES.action}oops`);
    expect(screen.getByText("Unsaved changes")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Go to line 4" }));
    expect(revealPosition).toHaveBeenCalledWith(4, 12);
  });

  it("puts a taken id by the id field, without a line marker", async () => {
    pluginApi.create.mockRejectedValue(
      new ApiError(400, 'The id "shout" is already taken', { detail: 'The id "shout" is already taken', code: "ALREADY_EXISTS" }),
    );
    const user = renderEditor({ namespace: "functions", kind: "filter" });
    await user.type(screen.getByLabelText("Name"), "Shout");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toContain("already taken");
    expect(screen.getByLabelText("ID").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByLabelText("markers").textContent).toBe("");
  });

  it("says when a plugin cannot be opened", async () => {
    pluginApi.get.mockRejectedValue(new ApiError(404, "Function not found: gone"));
    renderEditor({ namespace: "functions", id: "gone" });
    expect(await screen.findByText("Could not open this plugin")).toBeTruthy();
    expect(screen.getByText("Function not found: gone")).toBeTruthy();
  });

  // Security issue, point 6: an approval names the code the admin saw, so a swap is not approved.
  const waitingTool = {
    id: "host_info",
    name: "Host info",
    meta: { permissions: { requested: ["node"], granted: [] } },
    content: "// v1",
    content_hash: "hash-v1",
    load_error: null,
  };

  beforeEach(() => {
    pluginApi.permissions.mockResolvedValue({
      content_hash: "hash-v1",
      requested: ["node"],
      granted: [],
      waiting: ["node"],
      notices: ["Trusted tier: it can reach any host."],
    });
  });

  it("lets an admin approve what a plugin asks for after reading the server's notice, sending the content_hash of the code shown", async () => {
    pluginApi.get.mockResolvedValue(waitingTool);
    pluginApi.approvePermissions.mockResolvedValue({
      ...waitingTool,
      meta: { permissions: { requested: ["node"], granted: ["node"] } },
      notices: ["Granted the trusted tier."],
    });
    const user = renderEditor({ namespace: "tools", id: "host_info" });
    expect((await screen.findByRole("note")).textContent).toContain("trusted tier");
    expect(await screen.findByText("Trusted tier: it can reach any host.")).toBeTruthy();
    expect(pluginApi.permissions).toHaveBeenCalledWith("tools", "host_info");
    await user.click(screen.getByRole("button", { name: "Approve" }));
    expect(pluginApi.approvePermissions).toHaveBeenCalledWith("tools", "host_info", "hash-v1");
    expect(await screen.findByText("Granted the trusted tier.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Approve" })).toBeNull();
  });

  it("says nothing was approved when the code changed since it was shown (409)", async () => {
    pluginApi.get.mockResolvedValue(waitingTool);
    const detail = 'The code of "host_info" changed since it was reviewed; nothing was approved.';
    pluginApi.approvePermissions.mockRejectedValue(new ApiError(409, detail, { detail, code: "CONFLICT" }));
    const user = renderEditor({ namespace: "tools", id: "host_info" });
    await user.click(await screen.findByRole("button", { name: "Approve" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/code changed since this page loaded it; nothing was approved/);
    expect(screen.getByRole("button", { name: "Approve" })).toBeTruthy();
  });

  it("does not approve while the code on screen is not the stored code", async () => {
    pluginApi.get.mockResolvedValue(waitingTool);
    const user = renderEditor({ namespace: "tools", id: "host_info" });
    await user.type(await screen.findByLabelText("Code of Host info"), " edited");
    expect((screen.getByRole("button", { name: "Approve" }) as HTMLButtonElement).disabled).toBe(true);
  });
});
