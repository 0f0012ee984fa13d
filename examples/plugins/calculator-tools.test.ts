import { describe, expect, it } from "vitest";
import { createTestHarness } from "@sluice/sdk/testing";
import calculator from "./calculator-tools.ts";

describe("calculator-tools: calculate", () => {
  const harness = createTestHarness(calculator);

  it("evaluates arithmetic with precedence, powers, functions and constants", async () => {
    const cases: Array<[string, number]> = [
      ["(2 + 3) * 4 ^ 2 / sqrt(16)", 20],
      ["2 ^ 3 ^ 2", 512],
      ["-2 ^ 2", -4],
      ["2 ^ -1", 0.5],
      ["10 % 4 + max(1, 7, 3) - abs(-2)", 7],
      ["0.1 + 0.2", 0.3],
      ["round(pi * 100) / 100", 3.14],
      ["1.5e3 + .5", 1500.5],
    ];
    for (const [expression, result] of cases)
      expect(await harness.tool("calculate", { expression }), expression).toEqual({ expression, result });
  });

  it("returns mistakes as an error result the model can read, instead of failing the call", async () => {
    const cases: Array<[string, string]> = [
      ["1 / (2 - 2)", "Division by zero"],
      ["2 +", "The expression ends too early"],
      ["(1 + 2", 'Expected ")" at the end'],
      ["3 4", 'Unexpected "4"'],
      ["foo(2)", 'Unknown name "foo"'],
      ["sqrt(-1)", "The result is not a finite number"],
    ];
    for (const [expression, error] of cases)
      expect(await harness.tool("calculate", { expression }), expression).toEqual({ expression, error });
  });

  it("rounds to the decimals valve", async () => {
    const rounded = createTestHarness(calculator, { valves: { decimals: 2 } });
    expect(await rounded.tool("calculate", { expression: "2 / 3" })).toEqual({ expression: "2 / 3", result: 0.67 });
  });

  it("refuses arguments its parameters do not allow, before running", async () => {
    await expect(harness.tool("calculate", { expression: "" })).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });
});

describe("calculator-tools: convert_temperature", () => {
  const harness = createTestHarness(calculator);

  it("converts between units", async () => {
    expect(await harness.tool("convert_temperature", { value: 100, from: "celsius", to: "fahrenheit" })).toEqual({
      value: 212,
      unit: "fahrenheit",
    });
    expect(await harness.tool("convert_temperature", { value: 0, from: "kelvin", to: "celsius" })).toEqual({
      value: -273.15,
      unit: "celsius",
    });
    expect(await harness.tool("convert_temperature", { value: -500, from: "fahrenheit", to: "kelvin" })).toEqual({
      error: "-500 fahrenheit is below absolute zero",
    });
  });
});

describe("calculator-tools: specs", () => {
  it("derives the OpenAI function specs from the zod parameters and their descriptions", () => {
    const [calculate, convert] = createTestHarness(calculator).descriptor.tools;
    expect(calculate).toMatchObject({
      name: "calculate",
      parameters: {
        type: "object",
        properties: { expression: { type: "string", description: "The expression, e.g. (2 + 3) * 4 ^ 2 / sqrt(16)" } },
        required: ["expression"],
      },
    });
    expect(convert!.parameters).toMatchObject({
      properties: { from: { enum: ["celsius", "fahrenheit", "kelvin"], description: "Unit of value" } },
    });
  });
});
