import { describe, expect, it } from "vitest";
import { pluginsWithUserValves } from "./plugin-settings-dialog.tsx";
import type { ChatModel } from "./chat-types.ts";

const functions = [
  { id: "global_filter", name: "Global", type: "filter", is_active: true, is_global: true, meta: { has_user_valves: true } },
  { id: "attached_action", name: "Attached", type: "action", is_active: true, is_global: false, meta: { has_user_valves: true } },
  { id: "other_filter", name: "Other", type: "filter", is_active: true, is_global: false, meta: { has_user_valves: true } },
  { id: "no_valves", name: "Plain", type: "filter", is_active: true, is_global: true, meta: { has_user_valves: false } },
  { id: "inactive", name: "Off", type: "filter", is_active: false, is_global: true, meta: { has_user_valves: true } },
  { id: "manifold", name: "Manifold", type: "pipe", is_active: true, meta: { has_user_valves: true } },
];
const tools = [
  { id: "weather", name: "Weather", is_active: true, meta: { has_user_valves: true } },
  { id: "unused", name: "Unused", is_active: true, meta: { has_user_valves: true } },
];

describe("pluginsWithUserValves", () => {
  it("lists the model's pipe, global and attached filters and actions, and its tools that have user valves", () => {
    const model: ChatModel = {
      id: "manifold.big",
      name: "Big",
      pipe: { type: "pipe" },
      info: { meta: { actionIds: ["attached_action"], toolIds: ["weather"] } },
    };
    expect(pluginsWithUserValves(model, functions, tools).map((plugin) => `${plugin.namespace}:${plugin.id}`)).toEqual([
      "functions:global_filter",
      "functions:attached_action",
      "functions:manifold",
      "tools:weather",
    ]);
  });

  it("leaves out pipes of other models", () => {
    expect(pluginsWithUserValves({ id: "gpt", name: "GPT" }, functions, tools).map((plugin) => plugin.id)).toEqual(["global_filter"]);
  });
});
