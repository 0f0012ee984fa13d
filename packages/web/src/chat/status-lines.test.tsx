import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { StatusLines } from "./status-lines.tsx";

describe("StatusLines", () => {
  afterEach(cleanup);
  it("marks a failed tool as an error, not with a check", () => {
    render(
      <StatusLines
        statuses={[
          { description: "Running tool get_weather", done: false },
          { description: "Tool failed get_weather", done: true, error: true },
        ]}
      />,
    );
    const line = screen.getByRole("status");
    expect(line.className).toContain("status-error");
    expect(line.textContent).toContain("!");
    expect(line.textContent).not.toContain("✓");
  });

  it("shows a check for a finished step", () => {
    render(<StatusLines statuses={[{ description: "Ran tool get_weather", done: true }]} />);
    expect(screen.getByRole("status").textContent).toContain("✓");
  });
});
