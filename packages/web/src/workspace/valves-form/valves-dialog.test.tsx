import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ToastProvider } from "../../ui/toasts.tsx";

const { pluginApi } = vi.hoisted(() => ({ pluginApi: { valvesSpec: vi.fn(), valves: vi.fn(), updateValves: vi.fn() } }));
vi.mock("../plugin-api.ts", async (importOriginal) => ({ ...(await importOriginal<object>()), pluginApi }));
const { ValvesDialog } = await import("./valves-dialog.tsx");

afterEach(cleanup);
beforeEach(() => vi.resetAllMocks());

function renderDialog(isUser = false) {
  const onClose = vi.fn();
  render(
    <ToastProvider>
      <ValvesDialog namespace="tools" plugin={{ id: "calc", name: "Calculator" }} isUser={isUser} onClose={onClose} />
    </ToastProvider>,
  );
  return onClose;
}

describe("ValvesDialog", () => {
  it("loads the caller's user valves and saves them to the user endpoint", async () => {
    pluginApi.valvesSpec.mockResolvedValue({ type: "object", properties: { precision: { type: "integer", default: 2 } } });
    pluginApi.valves.mockResolvedValue({ precision: 4 });
    pluginApi.updateValves.mockResolvedValue({ precision: 6 });
    const onClose = renderDialog(true);
    expect(screen.getByText("Loading settings…")).toBeTruthy();
    const precision = await screen.findByRole("textbox", { name: "Precision" });
    expect(pluginApi.valvesSpec).toHaveBeenCalledWith("tools", "calc", true);
    await userEvent.clear(precision);
    await userEvent.type(precision, "6");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(pluginApi.updateValves).toHaveBeenCalledWith("tools", "calc", true, { precision: 6 });
    expect(onClose).toHaveBeenCalled();
    expect(await screen.findByText("Saved the settings of Calculator")).toBeTruthy();
  });

  it("says when the plugin has no valves", async () => {
    pluginApi.valvesSpec.mockResolvedValue(null);
    pluginApi.valves.mockResolvedValue({});
    renderDialog();
    expect(await screen.findByText("This plugin has no valves.")).toBeTruthy();
  });
});
