import { beforeEach, describe, expect, it, vi } from "vitest";

const { api } = vi.hoisted(() => ({ api: { get: vi.fn(), post: vi.fn(), delete: vi.fn() } }));
vi.mock("../../api/api-client.ts", () => ({ api }));
const { pluginIdsOf, saveModelMeta } = await import("./model-api.ts");

const IDS = { filterIds: ["turn_limit"], defaultFilterIds: [], actionIds: ["summarise"], toolIds: ["calculator"] };

describe("saveModelMeta", () => {
  beforeEach(() => vi.resetAllMocks());

  it("creates the settings row of a model that has none, under the model's id", async () => {
    await saveModelMeta({ id: "gpt-4o", name: "GPT-4o" }, undefined, IDS);
    expect(api.post).toHaveBeenCalledWith("/api/v1/models/create", { id: "gpt-4o", name: "GPT-4o", meta: IDS });
  });

  it("updates an existing row, keeping the rest of its meta", async () => {
    const row = {
      id: "my/model",
      name: "Mine",
      meta: { description: "kept", capabilities: { vision: true }, filterIds: ["old"] },
    } as never;
    await saveModelMeta({ id: "my/model", name: "Mine" }, row, IDS);
    expect(api.post).toHaveBeenCalledWith("/api/v1/models/model/update?id=my%2Fmodel", {
      meta: { description: "kept", capabilities: { vision: true }, ...IDS },
    });
  });

  it("replaces the capabilities it is given, the rest of meta kept", async () => {
    const row = { id: "tutor", name: "Tutor", meta: { description: "kept", toolIds: ["calculator"] } } as never;
    await saveModelMeta({ id: "tutor", name: "Tutor" }, row, { capabilities: { citations: true, vision: false } });
    expect(api.post).toHaveBeenCalledWith("/api/v1/models/model/update?id=tutor", {
      meta: { description: "kept", toolIds: ["calculator"], capabilities: { citations: true, vision: false } },
    });
  });
});

describe("pluginIdsOf", () => {
  it("reads the lists, empty when missing", () => {
    expect(pluginIdsOf(undefined)).toEqual({ filterIds: [], defaultFilterIds: [], actionIds: [], toolIds: [] });
    expect(pluginIdsOf({ meta: { toolIds: ["a"] } })).toEqual({ filterIds: [], defaultFilterIds: [], actionIds: [], toolIds: ["a"] });
  });
});
