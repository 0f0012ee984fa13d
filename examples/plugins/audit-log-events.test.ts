import { describe, expect, it } from "vitest";
import { createTestHarness } from "@sluice/sdk/testing";
import auditLog from "./audit-log-events.ts";

const ada = { id: "u1", name: "Ada", email: "ada@example.com", role: "admin" };

describe("audit-log-events", () => {
  it("listens to every event, and to its own switching off", () => {
    const harness = createTestHarness(auditLog);
    expect(harness.descriptor).toMatchObject({ kind: "events", events: ["*", "function.disable_started"], userValvesSchema: null });
  });

  it("writes one line per event, in order of time, under keys a repeated event cannot duplicate", async () => {
    const harness = createTestHarness(auditLog);
    await harness.event("chat.created", {
      id: "e2",
      ts: Date.UTC(2026, 0, 2),
      actor: ada,
      subject: { type: "chat", id: "c1" },
      data: { title: "Plans" },
    });
    await harness.event("system.startup", { id: "e1", ts: Date.UTC(2026, 0, 1), data: { version: "0.1.0" } });
    await harness.event("chat.created", {
      id: "e2",
      ts: Date.UTC(2026, 0, 2),
      actor: ada,
      subject: { type: "chat", id: "c1" },
      data: { title: "Plans" },
    });
    const lines = Object.entries(harness.storage.plugin).sort(([a], [b]) => a.localeCompare(b));
    expect(lines.map(([, line]) => line)).toEqual([
      {
        name: "system.startup",
        subject: { type: "system", id: "subject-1" },
        actor: "server",
        at: "2026-01-01T00:00:00.000Z",
        data: { version: "0.1.0" },
      },
      {
        name: "chat.created",
        subject: { type: "chat", id: "c1" },
        actor: "ada@example.com",
        at: "2026-01-02T00:00:00.000Z",
        data: { title: "Plans" },
      },
    ]);
  });

  it("leaves sign-ins out when the admin says so", async () => {
    const harness = createTestHarness(auditLog, { valves: { includeSignIns: false } });
    await harness.event("user.signed_in", { actor: ada, subject: { type: "user", id: ada.id } });
    await harness.event("user.created", { actor: ada, subject: { type: "user", id: ada.id }, data: { role: "admin" } });
    expect(Object.values(harness.storage.plugin).map((line) => (line as { name: string }).name)).toEqual(["user.created"]);
  });

  it("says how many lines it keeps when it is switched off", async () => {
    const harness = createTestHarness(auditLog);
    await harness.event("file.uploaded", { actor: ada, data: { name: "a.txt", content_type: "text/plain", size: 1 } });
    await harness.event("function.disable_started", {
      actor: ada,
      subject: { type: "function", id: "audit_log" },
      data: { name: "Audit log", type: "event" },
    });
    expect(harness.logs.at(-1)).toMatchObject({ level: "info" });
    expect(JSON.stringify(harness.logs.at(-1))).toContain("audit log switched off by ada@example.com with 2 lines kept");
  });
});
