import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiError } from "../../api/api-error.ts";

const { pluginApi } = vi.hoisted(() => ({ pluginApi: { versions: vi.fn(), version: vi.fn(), restoreVersion: vi.fn() } }));
vi.mock("../plugin-api.ts", async (importOriginal) => ({ ...(await importOriginal<object>()), pluginApi }));
const { VersionHistoryDialog } = await import("./version-history-dialog.tsx");

afterEach(cleanup);
beforeEach(() => vi.resetAllMocks());

const row = { id: "greet", name: "Greet", content: "a\nb2\nc\n", content_hash: "h2", meta: { description: "" } };
const summary = (number: number, message: string | null) => ({
  id: `v${number}`,
  plugin_id: "greet",
  number,
  user_id: "u1",
  user: { id: "u1", name: "Ada" },
  name: "Greet",
  meta: { description: "" },
  message,
  created_at: 1_800_000_000 + number,
});

function renderDialog(options: { isDirty?: boolean; canRestore?: boolean } = {}) {
  const onRestored = vi.fn();
  const onClose = vi.fn();
  render(
    <VersionHistoryDialog
      namespace="functions"
      row={row as never}
      canRestore={options.canRestore ?? true}
      isDirty={options.isDirty ?? false}
      onRestored={onRestored}
      onClose={onClose}
    />,
  );
  return { onRestored, onClose };
}

describe("VersionHistoryDialog", () => {
  beforeEach(() => {
    pluginApi.versions.mockResolvedValue([summary(2, "Second"), summary(1, null)]);
    pluginApi.version.mockImplementation(async (_namespace: string, _id: string, versionId: string) => ({
      ...summary(Number(versionId.slice(1)), null),
      content: versionId === "v1" ? "a\nb1\nc\n" : row.content,
    }));
  });

  it("opens on the version before the current one and shows its changed line", async () => {
    renderDialog();
    const table = await screen.findByRole("table", { name: "Differences between version 1 and the stored code" }, { timeout: 5000 });
    expect([...table.querySelectorAll(".diff-removed .diff-text")].map((cell) => cell.textContent)).toEqual(["b1"]);
    expect([...table.querySelectorAll(".diff-added .diff-text")].map((cell) => cell.textContent)).toEqual(["b2"]);
    expect(screen.getByRole("button", { name: "Version 2: Second" }).textContent).toContain("Ada");
    expect(screen.getByRole("button", { name: "Version 1" }).textContent).toContain("No message");
  });

  it("shows the server's refusal when the version no longer loads, and stays open", async () => {
    const detail = "Syntax error at line 2:5: Expression expected";
    pluginApi.restoreVersion.mockRejectedValue(new ApiError(400, detail, { detail, code: "PLUGIN_LOAD_FAILED" }));
    const { onRestored, onClose } = renderDialog();
    await userEvent.click(await screen.findByRole("button", { name: "Restore version 1" }, { timeout: 5000 }));
    expect(pluginApi.restoreVersion).toHaveBeenCalledWith("functions", "greet", "v1");
    expect((await screen.findByRole("alert", {}, { timeout: 5000 })).textContent).toBe(`Not restored: ${detail}`);
    expect(onRestored).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();
  });

  it("waits for unsaved edits to be saved or undone, and offers no restore to readers", async () => {
    renderDialog({ isDirty: true });
    expect(((await screen.findByRole("button", { name: "Restore version 1" })) as HTMLButtonElement).disabled).toBe(true);
    cleanup();
    renderDialog({ canRestore: false });
    await screen.findByRole("table");
    expect(screen.queryByRole("button", { name: /Restore/ })).toBeNull();
  });
});
