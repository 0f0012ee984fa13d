/**
 * title: Calculator
 * author: Sluice examples
 * version: 1.0.0
 * description: Exact arithmetic and unit conversions the model can call instead of guessing.
 * required_sluice_version: >=0.1
 */
import { defineTools, z } from "@sluice/sdk";

const FUNCTIONS: Record<string, (...values: number[]) => number> = {
  sqrt: Math.sqrt,
  abs: Math.abs,
  round: Math.round,
  floor: Math.floor,
  ceil: Math.ceil,
  ln: Math.log,
  log10: Math.log10,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  min: Math.min,
  max: Math.max,
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };
const TO_KELVIN = {
  celsius: (value: number) => value + 273.15,
  fahrenheit: (value: number) => ((value - 32) * 5) / 9 + 273.15,
  kelvin: (value: number) => value,
};
const FROM_KELVIN = {
  celsius: (value: number) => value - 273.15,
  fahrenheit: (value: number) => ((value - 273.15) * 9) / 5 + 32,
  kelvin: (value: number) => value,
};
const temperatureUnit = z.enum(["celsius", "fahrenheit", "kelvin"]);

export default defineTools({
  valves: z.object({
    decimals: z.number().int().min(0).max(15).default(10).describe("Results are rounded to this many decimals"),
  }),
  tools: {
    calculate: {
      description:
        "Evaluates an arithmetic expression exactly. Supports + - * / % ^, parentheses, pi, e and sqrt, abs, round, floor, ceil, ln, log10, sin, cos, tan, min, max.",
      parameters: z.object({
        expression: z.string().min(1).max(500).describe("The expression, e.g. (2 + 3) * 4 ^ 2 / sqrt(16)"),
      }),
      execute({ expression }, ctx) {
        // A mistake in the expression is an expected failure: return it as data, so the model
        // reads what went wrong and can try again. Throwing is for failures of the tool itself.
        try {
          return { expression, result: roundTo(evaluate(expression), ctx.valves.decimals) };
        } catch (error) {
          return { expression, error: (error as Error).message };
        }
      },
    },
    convert_temperature: {
      description: "Converts a temperature between Celsius, Fahrenheit and Kelvin.",
      parameters: z.object({
        value: z.number().describe("The temperature to convert"),
        from: temperatureUnit.describe("Unit of value"),
        to: temperatureUnit.describe("Unit to convert to"),
      }),
      execute({ value, from, to }, ctx) {
        const kelvin = TO_KELVIN[from](value);
        if (kelvin < 0) return { error: `${value} ${from} is below absolute zero` };
        return { value: roundTo(FROM_KELVIN[to](kelvin), ctx.valves.decimals), unit: to };
      },
    },
  },
});

function roundTo(value: number, decimals: number): number {
  const rounded = Number(value.toFixed(decimals));
  return Object.is(rounded, -0) ? 0 : rounded;
}

/** Evaluates arithmetic with a small recursive-descent parser (no eval: plugins never need it). */
function evaluate(expression: string): number {
  const tokens = expression.match(/\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+|[a-z_][a-z0-9_]*|\*\*|\S/gi) ?? [];
  let position = 0;
  const peek = () => tokens[position];
  const take = (expected?: string): string => {
    const token = tokens[position];
    if (token === undefined) throw new Error(expected ? `Expected "${expected}" at the end` : "The expression ends too early");
    if (expected !== undefined && token !== expected) throw new Error(`Expected "${expected}" but found "${token}"`);
    position++;
    return token;
  };

  const sum = (): number => {
    let value = product();
    while (peek() === "+" || peek() === "-") value = take() === "+" ? value + product() : value - product();
    return value;
  };
  const product = (): number => {
    let value = unary();
    while (peek() === "*" || peek() === "/" || peek() === "%") {
      const operator = take();
      const right = unary();
      if ((operator === "/" || operator === "%") && right === 0) throw new Error("Division by zero");
      value = operator === "*" ? value * right : operator === "/" ? value / right : value % right;
    }
    return value;
  };
  // A sign binds looser than a power, as in mathematics: -2 ^ 2 = -4.
  const unary = (): number => {
    if (peek() !== "-" && peek() !== "+") return power();
    const sign = take();
    const value = unary();
    return sign === "-" ? -value : value;
  };
  const power = (): number => {
    const base = primary();
    if (peek() !== "^" && peek() !== "**") return base;
    take();
    return base ** unary(); // right-associative: 2 ^ 3 ^ 2 = 2 ^ 9
  };
  const primary = (): number => {
    const token = take();
    if (token === "(") {
      const value = sum();
      take(")");
      return value;
    }
    if (/^[\d.]/.test(token)) return Number(token);
    const name = token.toLowerCase();
    if (name in CONSTANTS) return CONSTANTS[name]!;
    const fn = FUNCTIONS[name];
    if (!fn) throw new Error(`Unknown name "${token}"`);
    take("(");
    const args = [sum()];
    while (peek() === ",") {
      take();
      args.push(sum());
    }
    take(")");
    return fn(...args);
  };

  const value = sum();
  if (position < tokens.length) throw new Error(`Unexpected "${tokens[position]}"`);
  if (!Number.isFinite(value)) throw new Error("The result is not a finite number");
  return value;
}
