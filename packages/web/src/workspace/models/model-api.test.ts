import { beforeEach, describe, expect, it, vi } from "vitest";

const { api } = vi.hoisted(() => ({ api: { get: vi.fn(), post: vi.fn(), delete: vi.fn() } }));
vi.mock("../../api/api-client.ts", () => ({ api }));
const { pluginIdsOf, saveModelPlugins } = await import("./model-api.ts");

const IDS = { filterIds: ["turn_limit"], defaultFilterIds: [], actionIds: ["summarise"], toolIds: ["calculator"] };

describe("saveModelPlugins", () => {
  beforeEach(() => vi.resetAllMocks());

  it("creates the settings row of a model that has none, under the model's id", async () => {
    await saveModelPlugins({ id: "gpt-4o", name: "GPT-4o" }, undefined, IDS);
    expect(api.post).toHaveBeenCalledWith("/api/v1/models/create", { id: "gpt-4o", name: "GPT-4o", meta: IDS });
  });

  it("updates an existing row, keeping the rest of its meta", async () => {
    const row = {
      id: "my/model",
      name: "Mine",
      meta: { description: "kept", capabilities: { vision: true }, filterIds: ["old"] },
    } as never;
    await saveModelPlugins({ id: "my/model", name: "Mine" }, row, IDS);
    expect(api.post).toHaveBeenCalledWith("/api/v1/models/model/update?id=my%2Fmodel", {
      meta: { description: "kept", capabilities: { vision: true }, ...IDS },
    });
  });
});

describe("pluginIdsOf", () => {
  it("reads the lists, empty when missing", () => {
    expect(pluginIdsOf(undefined)).toEqual({ filterIds: [], defaultFilterIds: [], actionIds: [], toolIds: [] });
    expect(pluginIdsOf({ meta: { toolIds: ["a"] } })).toEqual({ filterIds: [], defaultFilterIds: [], actionIds: [], toolIds: ["a"] });
  });
});
