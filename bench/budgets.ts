// Sluice's performance budgets, as numbers the report compares each figure with.

export interface Budget {
  /** The figure must be at most this much (in `unit`); null when the budget is not a number. */
  max: number | null;
  unit: string;
  /** The budget in words. */
  text: string;
}

export const BUDGETS = {
  streamPerFilterPerChunk: { max: 5, unit: "µs", text: "stream hook ≤ 5 µs per filter per chunk (sandboxed)" },
  stream10FiltersPerChunk: { max: 50, unit: "µs", text: "10 stream filters add ≤ 50 µs per chunk" },
  inletOutlet10Filters: { max: 1000, unit: "µs", text: "inlet + outlet with 10 sandboxed filters ≤ 1 ms per request (20-message body)" },
  coldLoad: { max: 50, unit: "ms", text: "plugin cold load (compile + isolate) ≤ 50 ms without requirements" },
  cachedLookup: { max: 5, unit: "µs", text: "cached lookup ≤ 5 µs" },
  addedTimeToFirstToken: { max: 2, unit: "ms", text: "overhead added to time-to-first-token versus the upstream directly ≤ 2 ms" },
  concurrentErrors: {
    max: 0,
    unit: "errors",
    text: "500 concurrent streaming chats through a pass-through pipe and 3 filters on 2 cores without errors",
  },
  concurrentP99: { max: null, unit: "ms", text: "p99 added latency per chunk: reported (no number set)" },
} as const satisfies Record<string, Budget>;

/**
 * A figure with no budget of its own (the Python tier's), shown beside the isolate budget it would
 * be held to; `pass` is null.
 */
export function besideBudget(budget: Budget): Budget {
  return { max: null, unit: budget.unit, text: `reported, no budget of its own (isolate budget: ${budget.text})` };
}

/** One line of the report: a figure beside its budget. `pass` is null when there is no number to compare with. */
export interface SummaryLine {
  figure: string;
  value: number | null;
  unit: string;
  budget: string;
  pass: boolean | null;
  /** Where the figure comes from in results.json. */
  source: string;
}

export function judge(figure: string, value: number | null, budget: Budget, source: string): SummaryLine {
  const pass = budget.max === null || value === null || !Number.isFinite(value) ? null : value <= budget.max;
  return { figure, value, unit: budget.unit, budget: budget.text, pass, source };
}
