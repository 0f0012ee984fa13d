const MAX_LENGTH = 16_000;

/**
 * Joins `console.log`-style arguments into one line of text, bounded in length.
 *
 * @example
 * formatLogValues(["count", 2, { a: 1 }]); // 'count 2 {"a":1}'
 */
export function formatLogValues(values: unknown[]): string {
  const text = values.map(formatValue).join(" ");
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}… (${text.length - MAX_LENGTH} more characters)` : text;
}

function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (value === undefined || typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
