import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiError } from "../../api/api-error.ts";
import { ToastProvider } from "../../ui/toasts.tsx";

const { pluginApi, navigate } = vi.hoisted(() => ({ pluginApi: { importAll: vi.fn(), loadUrl: vi.fn() }, navigate: vi.fn() }));
vi.mock("../plugin-api.ts", async (importOriginal) => ({ ...(await importOriginal<object>()), pluginApi }));
vi.mock("../../app/router.tsx", () => ({ navigate }));
const { ImportDialog, readExport } = await import("./import-dialog.tsx");
const { takePluginDraft } = await import("../plugin-draft-store.ts");

afterEach(cleanup);
beforeEach(() => vi.resetAllMocks());

describe("readExport", () => {
  it("takes a bare list or Open WebUI's sync body", () => {
    expect(readExport('[{"id":"a"}]', "functions")).toEqual({ rows: [{ id: "a" }] });
    expect(readExport('{"tools":[{"id":"b"}]}', "tools")).toEqual({ rows: [{ id: "b" }] });
  });

  it("explains what is wrong", () => {
    expect(readExport("{", "functions")).toMatchObject({ error: expect.stringMatching(/^Not valid JSON/) });
    expect(readExport('{"tools":[]}', "functions")).toMatchObject({ error: expect.stringContaining('{"functions": [...]}') });
    expect(readExport("[]", "functions")).toEqual({ error: "The export holds no plugins" });
  });
});

function renderDialog() {
  const onImported = vi.fn();
  const onClose = vi.fn();
  render(
    <ToastProvider>
      <ImportDialog namespace="functions" onClose={onClose} onImported={onImported} />
    </ToastProvider>,
  );
  return { onImported, onClose, user: userEvent.setup() };
}

describe("ImportDialog", () => {
  it("imports pasted JSON and reports the server's refusal", async () => {
    pluginApi.importAll
      .mockRejectedValueOnce(new ApiError(400, "shout: Syntax error at line 2, column 1: Unexpected }"))
      .mockResolvedValueOnce([{ id: "shout" }]);
    const { onImported, onClose, user } = renderDialog();
    const text = screen.getByLabelText("Exported JSON");
    await user.click(text);
    await user.paste('[{"id":"shout","name":"Shout","content":"x"}]');
    await user.click(screen.getByRole("button", { name: "Import" }));
    expect((await screen.findByRole("alert")).textContent).toBe("shout: Syntax error at line 2, column 1: Unexpected }");
    expect(onImported).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Import" }));
    expect(pluginApi.importAll).toHaveBeenLastCalledWith("functions", [{ id: "shout", name: "Shout", content: "x" }]);
    expect(onImported).toHaveBeenCalled();
    expect(onClose).toHaveBeenCalled();
  });

  it("loads code from a URL into a draft for the editor", async () => {
    const content =
      '/**\n * title: Calculator\n */\nimport { defineTools } from "@sluice/sdk";\nexport default defineTools({ tools: {} });\n';
    pluginApi.loadUrl.mockResolvedValue({ name: "calculator", content });
    const { user } = renderDialog();
    await user.click(screen.getByLabelText("From a URL"));
    await user.type(screen.getByLabelText("Address"), "https://example.com/calculator.ts");
    await user.click(screen.getByRole("button", { name: "Load" }));
    expect(pluginApi.loadUrl).toHaveBeenCalledWith("functions", "https://example.com/calculator.ts");
    // A tools module belongs with the tools.
    expect(navigate).toHaveBeenCalledWith("/workspace/tools/new?draft&kind=tools");
    expect(takePluginDraft()).toEqual({ name: "Calculator", id: "calculator", content, description: undefined });
  });
});
