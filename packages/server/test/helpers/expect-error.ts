import { expect } from "vitest";
import type { ApiResponse } from "./api.ts";

/**
 * Asserts an error response as a user sees it: the status, a JSON `{detail}` that says something
 * (containing `detailPart` when given), and no stack trace or internal paths anywhere in the body.
 */
export function expectError(response: ApiResponse, status: number, detailPart?: string | RegExp): void {
  const text = JSON.stringify(response.body);
  expect(response.status, `status of ${text}`).toBe(status);
  expect(typeof response.body?.detail, `detail of ${text}`).toBe("string");
  expect(response.body.detail.length).toBeGreaterThan(0);
  if (typeof detailPart === "string") expect(response.body.detail).toContain(detailPart);
  else if (detailPart) expect(response.body.detail).toMatch(detailPart);
  expect(text).not.toMatch(/\bat .+:\d+:\d+|node_modules|\.ts:\d+|"stack"/);
}
