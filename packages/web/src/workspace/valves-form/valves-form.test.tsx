// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiError } from "../../api/api-error.ts";
import type { JsonSchemaNode } from "./describe-valve-fields.ts";
import { ValvesForm } from "./valves-form.tsx";

afterEach(cleanup);

// What the server serves at …/valves/spec for docs/plugins.md's valves example (zod's toJSONSchema, io "input").
const SCHEMA: JsonSchemaNode = {
  type: "object",
  properties: {
    apiKey: { type: "string", default: "", description: "Your provider's API key", input: { type: "password" } },
    style: { type: "string", enum: ["short", "detailed"], default: "short", input: { type: "select", options: ["short", "detailed"] } },
    topics: {
      type: "array",
      items: { type: "string" },
      default: [],
      input: { type: "multiselect", options: ["news", "sport", "weather"] },
    },
    prompt: { type: "string", default: "You are helpful.", input: { type: "textarea" } },
    maxTurns: { type: "integer", minimum: 1, maximum: 50, default: 8, description: "Most user turns" },
    isLoud: { type: "boolean", default: false },
    ratio: { type: "number", exclusiveMinimum: 0, default: 0.5 },
  },
};

function renderForm(values: Record<string, unknown> = {}, onSave = vi.fn(async () => ({}))) {
  render(<ValvesForm schema={SCHEMA} values={values} onSave={onSave} />);
  return { onSave, user: userEvent.setup() };
}

describe("ValvesForm", () => {
  it("renders each input kind from the schema, showing defaults", () => {
    renderForm();
    expect(screen.getByLabelText("Api key")).toHaveProperty("type", "password");
    const style = screen.getByLabelText("Style") as HTMLSelectElement;
    expect(style.tagName).toBe("SELECT");
    expect([...style.options].map((option) => option.text)).toEqual(["short", "detailed"]);
    const topics = screen.getByRole("group", { name: "Topics" });
    expect(
      within(topics)
        .getAllByRole("checkbox")
        .map((box) => box.parentElement!.textContent),
    ).toEqual(["news", "sport", "weather"]);
    expect(screen.getByLabelText("Prompt").tagName).toBe("TEXTAREA");
    expect(screen.getByLabelText("Prompt")).toHaveProperty("value", "You are helpful.");
    expect(screen.getByLabelText("Max turns")).toHaveProperty("value", "8");
    expect(screen.getByRole("switch", { name: "Is loud" })).toHaveProperty("checked", false);
    expect(screen.getByText("Most user turns (1 to 50)")).toBeTruthy();
    expect(screen.getAllByRole("button", { name: /^Custom value for /, pressed: false })).toHaveLength(7);
  });

  it("sends null for fields left at their default, so only edited keys are stored", async () => {
    const { onSave, user } = renderForm();
    await user.clear(screen.getByLabelText("Max turns"));
    await user.type(screen.getByLabelText("Max turns"), "12");
    await user.selectOptions(screen.getByLabelText("Style"), "detailed");
    await user.click(screen.getByRole("checkbox", { name: "sport" }));
    await user.click(screen.getByRole("switch", { name: "Is loud" }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(onSave).toHaveBeenCalledWith({
      apiKey: null,
      style: "detailed",
      topics: ["sport"],
      prompt: null,
      maxTurns: 12,
      isLoud: true,
      ratio: null,
    });
    expect(await screen.findByText("Saved")).toBeTruthy();
  });

  it("shows stored values as custom and sends null after pressing the toggle back to default", async () => {
    const { onSave, user } = renderForm({ maxTurns: 3, prompt: "Be brief." });
    expect(screen.getByLabelText("Max turns")).toHaveProperty("value", "3");
    expect(screen.getByLabelText("Prompt")).toHaveProperty("value", "Be brief.");
    await user.click(screen.getByRole("button", { name: "Custom value for Max turns", pressed: true }));
    expect(screen.getByLabelText("Max turns")).toHaveProperty("value", "8");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(onSave).toHaveBeenCalledWith(expect.objectContaining({ maxTurns: null, prompt: "Be brief." }));
  });

  it("checks numbers and bounds before sending", async () => {
    const { onSave, user } = renderForm();
    const maxTurns = screen.getByLabelText("Max turns");
    await user.clear(maxTurns);
    await user.type(maxTurns, "0");
    const ratio = screen.getByLabelText("Ratio");
    await user.clear(ratio);
    await user.type(ratio, "abc");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(onSave).not.toHaveBeenCalled();
    expect(screen.getByText("Must be at least 1")).toBeTruthy();
    expect(screen.getByText("Enter a number")).toBeTruthy();
    expect(maxTurns.getAttribute("aria-invalid")).toBe("true");
    await user.clear(maxTurns);
    await user.type(maxTurns, "2.5");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Enter a whole number")).toBeTruthy();
    expect(onSave).not.toHaveBeenCalled();
  });

  it("requires fields without a default and checks string lengths", async () => {
    const onSave = vi.fn(async () => ({}));
    render(
      <ValvesForm
        schema={{ type: "object", properties: { region: { type: "string", minLength: 2, maxLength: 4 } }, required: ["region"] }}
        values={{}}
        onSave={onSave}
      />,
    );
    const user = userEvent.setup();
    expect(screen.queryByRole("button", { name: /Custom value for/ })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Must be at least 2 characters")).toBeTruthy();
    await user.type(screen.getByLabelText(/Region/), "eu-west");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Must be at most 4 characters")).toBeTruthy();
    await user.clear(screen.getByLabelText(/Region/));
    await user.type(screen.getByLabelText(/Region/), "eu");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(onSave).toHaveBeenCalledWith({ region: "eu" });
  });

  it("shows the server's error by its field", async () => {
    const onSave = vi.fn(async () => {
      throw new ApiError(400, "Invalid valves: maxTurns: Too big", {
        detail: "Invalid valves: maxTurns: Too big",
        code: "VALVES_INVALID",
        errors: [{ path: "maxTurns", message: "Too big: expected number to be <=10" }],
      });
    });
    const { user } = renderForm({}, onSave);
    await user.clear(screen.getByLabelText("Max turns"));
    await user.type(screen.getByLabelText("Max turns"), "40");
    await user.click(screen.getByRole("button", { name: "Save" }));
    const error = await screen.findByText("Too big: expected number to be <=10");
    expect(screen.getByLabelText("Max turns").getAttribute("aria-describedby")).toContain(error.id);
    await user.type(screen.getByLabelText("Max turns"), "1");
    expect(screen.queryByText("Too big: expected number to be <=10")).toBeNull();
  });

  it("shows an error without a field above the buttons", async () => {
    const onSave = vi.fn(async () => {
      throw new ApiError(403, "Only admins may change this", { detail: "Only admins may change this" });
    });
    const { user } = renderForm({}, onSave);
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Only admins may change this");
  });

  it("edits a list of strings one per line and a JSON value", async () => {
    const onSave = vi.fn(async () => ({}));
    render(
      <ValvesForm
        schema={{
          type: "object",
          properties: {
            hosts: { type: "array", items: { type: "string" }, default: ["a.example"] },
            weights: { type: "object", default: {} },
          },
        }}
        values={{}}
        onSave={onSave}
      />,
    );
    const user = userEvent.setup();
    const hosts = screen.getByLabelText("Hosts");
    expect(hosts).toHaveProperty("value", "a.example");
    await user.type(hosts, "\nb.example\n");
    const weights = screen.getByLabelText("Weights");
    await user.clear(weights);
    await user.type(weights, "{{");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Not valid JSON")).toBeTruthy();
    await user.clear(weights);
    await user.type(weights, '{{"a": 1}');
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(onSave).toHaveBeenCalledWith({ hosts: ["a.example", "b.example"], weights: { a: 1 } });
  });

  it("says so when there is nothing to set", () => {
    render(<ValvesForm schema={{ type: "object", properties: {} }} values={{}} onSave={async () => {}} />);
    expect(screen.getByText("This plugin has no settings here.")).toBeTruthy();
  });
});
