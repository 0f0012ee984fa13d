import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, type TestAccount } from "../../server/test/helpers/accounts.ts";
import { launchBrowser, openPage, type WatchedPage } from "./launch-browser.ts";
import { startSluice, type SluiceForBrowser } from "./start-sluice.ts";

const SCREENSHOTS = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
const shouldTakeScreenshots = process.env.SLUICE_SCREENSHOTS === "1";

const VIEWPORTS = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

const counterFilter = (count: number) => `import { defineFilter } from "@sluice/sdk";

export default defineFilter({
  inlet(body) {
    const count = ${count};
    body.messages.unshift({ role: "system", content: "count " + count });
    return body;
  },
});
`;

/** An Open WebUI filter pasted as it is: it asks for the Python tier and the internet. */
const PYTHON_FILTER = `"""
title: Shouter
author: Ada
version: 0.1
"""
from pydantic import BaseModel


class Filter:
    class Valves(BaseModel):
        pass

    def __init__(self):
        self.valves = self.Valves()

    def inlet(self, body: dict) -> dict:
        body["messages"][-1]["content"] = body["messages"][-1]["content"].upper()
        return body
`;

const orderFilter = (priority: number) => `import { defineFilter, z } from "@sluice/sdk";
export default defineFilter({
  valves: z.object({ priority: z.number().default(${priority}) }),
  inlet: (body) => body,
});
`;

async function screenshot(page: Page, name: string): Promise<void> {
  if (!shouldTakeScreenshots) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name) });
}

/** The page is no wider than its viewport (nothing to scroll sideways). */
async function fitsWidth(page: Page, width: number): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

describe("plugin versions, approvals and filter order in Chromium", () => {
  let sluice: SluiceForBrowser;
  let browser: Browser;
  let admin: TestAccount;
  let tab: WatchedPage;

  const api = async (method: string, urlPath: string, body?: unknown) => {
    const response = await fetch(sluice.url + urlPath, {
      method,
      headers: { authorization: `Bearer ${admin.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    [sluice, browser] = await Promise.all([startSluice(), launchBrowser()]);
    admin = await signUpAdmin(sluice.url);
  });

  afterAll(async () => {
    await browser?.close();
    await sluice?.stop();
  });

  afterEach(async () => {
    await tab?.close();
  });

  async function openSignedIn(viewport: { width: number; height: number }): Promise<WatchedPage> {
    tab = await openPage(browser, sluice.url, viewport);
    await tab.context.addInitScript((token) => localStorage.setItem("token", token), admin.token);
    return tab;
  }

  /** Replaces the editor line holding `lineText` with `replacement` by typing, as a user would. */
  async function replaceLine(page: Page, lineText: string, replacement: string): Promise<void> {
    await page.locator(".monaco-editor .view-line", { hasText: lineText }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Shift+Home");
    await page.keyboard.type(replacement);
  }

  async function saveWithMessage(page: Page, message: string, id: string, expectedVersions: number): Promise<void> {
    await page.getByLabel("Save message (optional)").fill(message);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect
      .poll(async () => (await api("GET", `/api/v1/functions/id/${id}/versions`)).body.length, { timeout: 15_000 })
      .toBe(expectedVersions);
    // Saved: the editor says so and the message field is empty for the next save.
    await page
      .getByRole("status")
      .filter({ hasText: /^Saved$/ })
      .waitFor();
    await expect.poll(() => page.getByLabel("Save message (optional)").inputValue(), { timeout: 10_000 }).toBe("");
  }

  for (const { name, viewport } of VIEWPORTS) {
    it(`${name}: saves twice with messages, lists the history, shows the diff and restores the old code`, async () => {
      const id = `counter_${name}`;
      const created = await api("POST", "/api/v1/functions/create", {
        id,
        name: `Counter ${name}`,
        content: counterFilter(1),
        message: "First count",
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);

      const { page } = await openSignedIn(viewport);
      await page.goto(`/workspace/functions/${id}`);
      // Monaco loads on demand; the first time in a fresh browser takes a while.
      await page.locator(".monaco-editor .view-line", { hasText: "const count = 1;" }).waitFor({ timeout: 40_000 });

      await replaceLine(page, "const count = 1;", "const count = 2;");
      await saveWithMessage(page, "Count to two", id, 2);
      await replaceLine(page, "const count = 2;", "const count = 3;");
      await saveWithMessage(page, "Count to three", id, 3);
      expect((await api("GET", `/api/v1/functions/id/${id}`)).body.content).toBe(counterFilter(3));

      await page.getByRole("button", { name: "History" }).click();
      const dialog = page.getByRole("dialog", { name: `History of Counter ${name}` });
      const versions = dialog.getByRole("list", { name: "Versions" }).getByRole("button");
      await expect.poll(() => versions.count(), { timeout: 15_000 }).toBe(3);
      const entries = await versions.allInnerTexts();
      expect(entries[0]).toContain("Version 3");
      expect(entries[0]).toContain("Count to three");
      expect(entries[0]).toContain("current");
      expect(entries[1]).toContain("Count to two");
      expect(entries[2]).toContain("First count");
      for (const entry of entries) expect(entry).toContain(admin.name);

      // Version 1 against the stored code: its count line went, the new one came; the rest is unchanged.
      await dialog.getByRole("button", { name: "Version 1: First count" }).click();
      const diff = dialog.getByRole("table", { name: "Differences between version 1 and the stored code" });
      await diff.waitFor();
      const removed = diff.locator(".diff-removed");
      const added = diff.locator(".diff-added");
      expect(await removed.allInnerTexts()).toEqual([expect.stringContaining("const count = 1;")]);
      expect(await added.allInnerTexts()).toEqual([expect.stringContaining("const count = 3;")]);
      expect(await diff.getByRole("row").filter({ hasText: "body.messages.unshift" }).count()).toBe(1);
      if (name === "phone") await fitsWidth(page, viewport.width);
      await screenshot(page, `workspace-versions-diff-${name}.png`);

      await dialog.getByRole("button", { name: "Restore version 1" }).click();
      await dialog.waitFor({ state: "detached" });
      await page.getByText(/Restored Counter .*: the old code is saved as a new version/).waitFor();
      // The editor shows the old code again, and it is what the server stores and runs.
      await page.locator(".monaco-editor .view-line", { hasText: "const count = 1;" }).waitFor();
      expect(await page.locator(".monaco-editor .view-line", { hasText: "const count = 3;" }).count()).toBe(0);
      await page
        .getByRole("status")
        .filter({ hasText: /^Saved$/ })
        .waitFor();
      const stored = (await api("GET", `/api/v1/functions/id/${id}`)).body;
      expect(stored).toMatchObject({ content: counterFilter(1), load_error: null });
      const history = (await api("GET", `/api/v1/functions/id/${id}/versions`)).body;
      expect(history.map((version: { message: string }) => version.message)).toEqual([
        "Restored version 1",
        "Count to three",
        "Count to two",
        "First count",
      ]);
      tab.assertNoErrors();
    }, 120_000);

    it(`${name}: an admin reads what approving a Python plugin grants, then approves it`, async () => {
      const id = `shouter_${name}`;
      const created = await api("POST", "/api/v1/functions/create", { id, name: `Shouter ${name}`, content: PYTHON_FILTER });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      expect(created.body.meta.permissions.requested).toEqual(["network:*", "python"]);

      const { page } = await openSignedIn(viewport);
      await page.goto(`/workspace/functions/${id}`);
      const bar = page.getByRole("note", { name: "Waiting for approval" });
      await bar.waitFor();
      // The server's own notice: the Python tier, and where its requests may go.
      await bar.getByText(/^Python tier: this plugin runs unchanged in its own Python process/).waitFor();
      await bar.getByText("Its network connections may reach any host on the internet").waitFor();
      expect(await bar.innerText()).toContain("the Python tier (its own Python process)");
      if (name === "phone") await fitsWidth(page, viewport.width);
      await screenshot(page, `workspace-versions-approve-python-${name}.png`);

      await bar.getByRole("button", { name: "Approve" }).click();
      await bar.waitFor({ state: "detached", timeout: 30_000 });
      await page
        .getByText(/Python tier: this plugin runs unchanged/)
        .first()
        .waitFor();
      const stored = (await api("GET", `/api/v1/functions/id/${id}`)).body;
      expect(stored.meta.permissions.granted).toEqual(["network:*", "python"]);
      expect(stored.load_error).toBeNull();
      tab.assertNoErrors();
    }, 120_000);
  }

  it("shows on the models page the filters each model runs, in the order they run (1280 and 390 px)", async () => {
    for (const [id, priority, isGlobal] of [
      ["order_late", 10, true],
      ["order_early", -5, true],
      ["order_own", 3, false],
    ] as const) {
      const created = await api("POST", "/api/v1/functions/create", {
        id,
        name: id.replace("order_", "Order ").replace(/^./, (c) => c),
        content: orderFilter(priority),
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      await api("POST", `/api/v1/functions/id/${id}/toggle`);
      if (isGlobal) await api("POST", `/api/v1/functions/id/${id}/toggle/global`);
    }
    expect(
      (await api("POST", "/api/v1/models/create", { id: "fake-small", name: "Fake Small", meta: { filterIds: ["order_own"] } })).status,
    ).toBe(200);

    for (const { name, viewport } of VIEWPORTS) {
      const { page } = await openSignedIn(viewport);
      await page.goto("/workspace/models");
      const small = page.getByRole("list", { name: "Filters of fake-small, in the order they run" }).getByRole("listitem");
      await expect
        .poll(() => small.allInnerTexts(), { timeout: 20_000 })
        .toEqual(["Order early (priority -5, global)", "Order own (priority 3)", "Order late (priority 10, global)"]);
      const large = page.getByRole("list", { name: "Filters of fake-large, in the order they run" }).getByRole("listitem");
      await expect
        .poll(() => large.allInnerTexts(), { timeout: 20_000 })
        .toEqual(["Order early (priority -5, global)", "Order late (priority 10, global)"]);
      if (name === "phone") await fitsWidth(page, viewport.width);
      await screenshot(page, `workspace-versions-filter-order-${name}.png`);
      tab.assertNoErrors();
      await tab.close();
    }
  }, 120_000);
});
