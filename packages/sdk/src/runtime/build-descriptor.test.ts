import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineAction, defineFilter, definePipe, defineTools } from "../index.ts";
import { buildDescriptor } from "./build-descriptor.ts";
import { findPlugin } from "./find-plugin.ts";

const describeDefinition = (definition: unknown) => buildDescriptor(findPlugin({ default: definition }));

describe("buildDescriptor", () => {
  it("gives valve schemas as input-side JSON Schema with descriptions and .meta() kept", () => {
    const descriptor = describeDefinition(
      defineFilter({
        valves: z.object({
          priority: z.number().default(0).describe("Lower runs first"),
          apiKey: z
            .string()
            .default("")
            .meta({ input: { type: "password" } }),
          mode: z
            .enum(["fast", "slow"])
            .default("fast")
            .meta({ input: { type: "select", options: ["fast", "slow"] } }),
        }),
        inlet: (body) => body,
      }),
    );
    expect(descriptor.valvesSchema).toEqual({
      type: "object",
      properties: {
        priority: { type: "number", default: 0, description: "Lower runs first" },
        apiKey: { type: "string", default: "", input: { type: "password" } },
        mode: { type: "string", enum: ["fast", "slow"], default: "fast", input: { type: "select", options: ["fast", "slow"] } },
      },
    });
    expect(descriptor.userValvesSchema).toBeNull();
  });

  it("finds secret fields however the password meta is placed", () => {
    const shared = z.string().meta({ input: { type: "password" } });
    const descriptor = describeDefinition(
      defineFilter({
        valves: z.object({
          before: z
            .string()
            .meta({ input: { type: "password" } })
            .default(""),
          after: z
            .string()
            .default("")
            .meta({ input: { type: "password" } }),
          nullable: z
            .string()
            .meta({ input: { type: "password" } })
            .nullable(),
          reusedOnce: shared,
          reusedTwice: shared,
          plain: z.string().default(""),
        }),
        userValves: z.object({
          token: z
            .string()
            .optional()
            .meta({ input: { type: "password" } }),
        }),
        inlet: (body) => body,
      }),
    );
    expect(descriptor.secretFields).toEqual(["before", "after", "nullable", "reusedOnce", "reusedTwice"]);
    expect(descriptor.userSecretFields).toEqual(["token"]);
  });

  it("derives OpenAI function specs from tool parameters", () => {
    const descriptor = describeDefinition(
      defineTools({
        tools: {
          weather: {
            description: "Current weather",
            parameters: z.object({
              city: z.string().describe("City name"),
              days: z.number().int().min(1).default(1).describe("How many days"),
              units: z.enum(["metric", "imperial"]).optional(),
              offset: z.number().int(),
            }),
            execute: () => "",
          },
        },
      }),
    );
    expect(descriptor.tools).toEqual([
      {
        name: "weather",
        description: "Current weather",
        parameters: {
          type: "object",
          properties: {
            city: { type: "string", description: "City name" },
            days: { type: "integer", minimum: 1, default: 1, description: "How many days" },
            units: { type: "string", enum: ["metric", "imperial"] },
            offset: { type: "integer" },
          },
          required: ["city", "offset"],
        },
      },
    ]);
    expect(descriptor.hooks).toEqual(["tool"]);
  });

  it("lists static pipes, flags dynamic ones, and lists the hooks present", () => {
    expect(describeDefinition(definePipe({ pipes: [{ id: "a", name: "A" }], pipe: () => "" }))).toMatchObject({
      pipes: [{ id: "a", name: "A" }],
      hasDynamicPipes: false,
      hooks: ["pipe", "pipes"],
    });
    expect(describeDefinition(definePipe({ pipes: () => [], pipe: () => "" }))).toMatchObject({ pipes: null, hasDynamicPipes: true });
    expect(describeDefinition(definePipe({ pipe: () => "" }))).toMatchObject({ pipes: null, hasDynamicPipes: false, hooks: ["pipe"] });
    expect(describeDefinition(defineFilter({ request: (body) => body }))).toMatchObject({ kind: "filter", hooks: ["request"] });
    expect(describeDefinition(defineFilter({ outlet: (body) => body, inlet: (body) => body, toggle: true, icon: "i" }))).toMatchObject({
      hooks: ["inlet", "outlet"],
      toggle: true,
      icon: "i",
    });
  });

  it("says whether a filter handles attached files itself, in the define form or Open WebUI's class form", () => {
    expect(describeDefinition(defineFilter({ inlet: (body) => body })).fileHandler).toBe(false);
    expect(describeDefinition(defineFilter({ inlet: (body) => body, fileHandler: true })).fileHandler).toBe(true);
    class Filter {
      file_handler = true;
      inlet(body: unknown) {
        return body;
      }
    }
    expect(buildDescriptor(findPlugin({ Filter })).fileHandler).toBe(true);
    expect(() => describeDefinition(defineFilter({ inlet: (body: unknown) => body, fileHandler: "yes" } as never))).toThrow(
      '"fileHandler" must be true or false, got a string',
    );
  });

  it("lists action buttons and is plain JSON", () => {
    const descriptor = describeDefinition(
      defineAction({
        actions: [
          { id: "a", name: "A", icon_url: "u" },
          { id: "b", name: "B" },
        ],
        action: () => null,
      }),
    );
    expect(descriptor.actions).toEqual([
      { id: "a", name: "A", icon_url: "u" },
      { id: "b", name: "B" },
    ]);
    expect(JSON.parse(JSON.stringify(descriptor))).toEqual(descriptor);
  });

  it("refuses valves JSON Schema cannot describe, naming them", () => {
    expect(() => describeDefinition(defineFilter({ valves: z.object({ since: z.date() }), inlet: (body) => body }))).toThrow(
      /"valves" cannot be described as JSON Schema/,
    );
  });
});
