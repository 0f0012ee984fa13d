import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, type TestAccount } from "../../server/test/helpers/accounts.ts";
import { functionTypeOf } from "@sluice/sdk/wire";
import type { PluginKind } from "@sluice/sdk";
import { PLUGIN_TEMPLATES } from "../src/workspace/plugin-editor/plugin-templates.ts";
import { launchBrowser, openPage, type WatchedPage } from "./launch-browser.ts";
import { startSluice, type SluiceForBrowser } from "./start-sluice.ts";

const SCREENSHOTS = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
/** Screenshots for the README are taken when asked (`SLUICE_SCREENSHOTS=1`), so test runs leave the tree clean. */
const shouldTakeScreenshots = process.env.SLUICE_SCREENSHOTS === "1";
/** Chromium logs every 4xx answer; these tests provoke refusals on purpose. */
const EXPECTED_REFUSAL = /Failed to load resource: the server responded with a status of 400/;

const VALVES_PLUGIN = `/**
 * title: Reply Style
 * author: Ada
 * version: 1.1.0
 * description: Tunes how answers read.
 */
import { defineFilter, z } from "@sluice/sdk";

export default defineFilter({
  valves: z.object({
    apiKey: z.string().default("").describe("Key of the style service").meta({ input: { type: "password" } }),
    tone: z.enum(["plain", "friendly", "formal"]).default("plain").meta({ input: { type: "select", options: ["plain", "friendly", "formal"] } }),
    topics: z.array(z.string()).default([]).meta({ input: { type: "multiselect", options: ["news", "sport", "weather"] } }),
    preamble: z.string().default("Be brief.").meta({ input: { type: "textarea" } }),
    maxWords: z.number().int().min(10).max(500).default(120).describe("Longest answer, in words"),
    batch: z.number().int().default(2).refine((value) => value % 2 === 0, "Must be an even number").describe("Chunks per batch"),
    isVerbose: z.boolean().default(false).describe("Log each change"),
  }),
  inlet(body) {
    return body;
  },
});
`;

/** An Open WebUI filter, as an admin would paste it from Open WebUI's community site. */
const PYTHON_FILTER = `"""
title: Word Counter
author: Ada
version: 0.2
"""
from typing import Optional
from pydantic import BaseModel, Field


class Filter:
    class Valves(BaseModel):
        limit: int = Field(default=100, description="Most words per question")

    def __init__(self):
        self.valves = self.Valves()

    def inlet(self, body: dict, __user__: Optional[dict] = None) -> dict:
        words = len(body["messages"][-1]["content"].split())
        if words > self.valves.limit:
            raise Exception(f"{words} words is too many")
        return body
`;

/** The CSS classes of the rendered token holding `text` on the line holding `lineText` (Monaco renders spaces as U+00A0). */
async function tokenClass(page: Page, lineText: string, text: string): Promise<string> {
  await page.locator(".monaco-editor .view-line").first().waitFor();
  return page.evaluate(
    ([wantedLine, wantedToken]) => {
      const plain = (element: Element) => (element.textContent ?? "").replace(/\u00a0/g, " ");
      const line = [...document.querySelectorAll(".monaco-editor .view-line")].find((element) => plain(element).includes(wantedLine));
      const token = [...(line?.querySelectorAll("span > span") ?? [])].find((element) => plain(element).trim() === wantedToken);
      return token?.getAttribute("class") ?? "";
    },
    [lineText, text],
  );
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (!shouldTakeScreenshots) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name) });
}

/** Types `ctx.` and waits for Monaco's suggestions; the TypeScript worker may need a moment the first time. */
async function suggestionsAfter(page: Page, text: string): Promise<string[]> {
  await page.keyboard.type(text);
  const rows = page.locator(".suggest-widget .monaco-list-row");
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      await rows.filter({ hasText: "emit" }).first().waitFor({ timeout: 4000 });
      return rows.evaluateAll((elements) => elements.map((element) => element.getAttribute("aria-label") ?? ""));
    } catch {
      await page.keyboard.press("Control+Space");
    }
  }
  throw new Error("No completions were offered");
}

/** The number Monaco shows next to the rendered line holding `text`. */
async function lineNumberOf(page: Page, text: string): Promise<number> {
  return page.evaluate((wanted) => {
    const line = [...document.querySelectorAll<HTMLElement>(".view-lines .view-line")].find((element) =>
      element.textContent?.replace(/\u00a0/g, " ").includes(wanted),
    );
    if (!line) return -1;
    const top = line.getBoundingClientRect().top;
    const number = [...document.querySelectorAll<HTMLElement>(".margin-view-overlays .line-numbers")].find(
      (element) => Math.abs(element.getBoundingClientRect().top - top) < 2,
    );
    return Number(number?.textContent ?? -1);
  }, text);
}

/** The line numbers Monaco shows next to rendered lines matching a CSS class (a decoration). */
async function decoratedLines(page: Page, className: string): Promise<number[]> {
  return page.evaluate((name) => {
    const lineTops = [...document.querySelectorAll<HTMLElement>(".margin-view-overlays .line-numbers")].map((element) => ({
      line: Number(element.textContent),
      top: element.parentElement!.getBoundingClientRect().top,
    }));
    return [...document.querySelectorAll<HTMLElement>(`.view-overlays .${name}`)].map((element) => {
      const top = element.parentElement!.getBoundingClientRect().top;
      return lineTops.find((entry) => Math.abs(entry.top - top) < 2)?.line ?? -1;
    });
  }, className);
}

describe("the plugin workspace in Chromium", () => {
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

  async function openSignedIn(viewport?: { width: number; height: number }): Promise<WatchedPage> {
    tab = await openPage(browser, sluice.url, viewport);
    await tab.context.addInitScript((token) => localStorage.setItem("token", token), admin.token);
    return tab;
  }

  afterEach(async () => {
    await tab?.close();
  });

  it("stores every template as a plugin that loads", async () => {
    for (const [kind, content] of Object.entries(PLUGIN_TEMPLATES)) {
      const namespace = kind === "tools" ? "tools" : "functions";
      const { status, body } = await api("POST", `/api/v1/${namespace}/create`, {
        id: `template_${kind}`,
        name: `Template ${kind}`,
        content,
      });
      expect(status, JSON.stringify(body)).toBe(200);
      // An event plugin is stored as Open WebUI stores it: a function of type "event".
      if (namespace === "functions") expect(body.type).toBe(functionTypeOf(kind as Exclude<PluginKind, "tools">));
      await api("DELETE", `/api/v1/${namespace}/id/template_${kind}/delete`);
    }
  });

  it("creates a filter in the editor, with completions for ctx. and type errors while typing", async () => {
    const { page } = await openSignedIn();
    await page.goto("/workspace/functions");
    await page.getByRole("heading", { name: "No functions yet" }).waitFor();
    await page.getByRole("button", { name: /New function/ }).click();
    await page.getByRole("menuitem", { name: /Filter/ }).click();
    await page.waitForURL(/\/workspace\/functions\/new\?kind=filter$/);

    await page.getByLabel("Name", { exact: true }).fill("Turn Guard");
    expect(await page.getByLabel("ID", { exact: true }).inputValue()).toBe("turn_guard");
    await page.locator(".monaco-editor .view-line", { hasText: "if (ctx.user.valves.showStatus) {" }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    const suggestions = await suggestionsAfter(page, "ctx.");
    expect(suggestions.map((label) => label.split(",")[0])).toEqual(expect.arrayContaining(["emit", "call", "metadata", "fetch"]));
    // ctx has more members than the list shows at once: narrowing it brings the later ones into view.
    const suggestionLabels = async () =>
      (
        await page
          .locator(".suggest-widget .monaco-list-row")
          .evaluateAll((rows) => rows.map((row) => row.getAttribute("aria-label") ?? ""))
      ).map((label) => label.split(",")[0]);
    for (const [typed, member] of [
      ["u", "user"],
      ["va", "valves"],
    ] as const) {
      await page.keyboard.type(typed);
      // Under load the list may take a while to narrow, or close and need asking for again.
      await expect
        .poll(
          async () => {
            const labels = await suggestionLabels();
            if (labels.length === 0) await page.keyboard.press("Control+Space");
            return labels;
          },
          { timeout: 20_000, interval: 500 },
        )
        .toContain(member);
      for (let index = 0; index < typed.length; index += 1) await page.keyboard.press("Backspace");
    }
    await screenshot(page, "plugin-editor.png");

    await page.keyboard.press("Escape");
    await page.keyboard.type("nope();");
    await page.locator(".view-overlays .squiggly-error").first().waitFor();
    // F8 shows the problem at the cursor; the type checker's answer may take a moment to replace the syntax error of "ctx.".
    await expect
      .poll(
        async () => {
          await page.keyboard.press("Escape");
          await page.keyboard.press("F8");
          return page
            .locator(".marker-widget")
            .innerText({ timeout: 2000 })
            .catch(() => "");
        },
        { timeout: 20_000, interval: 500 },
      )
      .toContain("Property 'nope' does not exist on type 'PluginContext");
    await screenshot(page, "plugin-editor-type-error.png");
    await page.keyboard.press("Escape");

    // Remove the bad call again: the marker goes away.
    await page.keyboard.press("Home");
    await page.keyboard.press("Shift+End");
    await page.keyboard.press("Delete");
    await expect.poll(() => page.locator(".view-overlays .squiggly-error").count(), { timeout: 20_000 }).toBe(0);

    await page.keyboard.press("Control+S");
    await page.waitForURL(/\/workspace\/functions\/turn_guard$/);
    await page.getByText("Saved Turn Guard").waitFor();

    await page.getByRole("link", { name: "← Functions" }).click();
    const item = page.getByRole("listitem", { name: "Turn Guard" });
    await item.waitFor();
    expect(await item.innerText()).toContain("v0.1.0 · by me");
    const active = page.getByRole("switch", { name: "Active: Turn Guard" });
    expect(await active.isChecked()).toBe(false);
    await active.click();
    await expect.poll(() => active.isChecked(), { timeout: 5000 }).toBe(true);
    expect((await api("GET", "/api/v1/functions/id/turn_guard")).body.is_active).toBe(true);
    tab.assertNoErrors();
  });

  it("highlights a pasted Open WebUI Python plugin as Python, without TypeScript errors, and saves it", async () => {
    const { page } = await openSignedIn();
    await page.goto("/workspace/functions/new?kind=filter");
    const surface = page.getByTestId("code-editor");
    await page.locator(".monaco-editor .view-line").first().waitFor();
    expect(await surface.getAttribute("data-language")).toBe("typescript");
    // Replace the TypeScript template with the Python source, pasted from the clipboard.
    await tab.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: sluice.url });
    await page.evaluate((text) => navigator.clipboard.writeText(text), PYTHON_FILTER);
    await page.locator(".monaco-editor .view-line").first().click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Control+V");
    await expect.poll(() => surface.getAttribute("data-language")).toBe("python");

    // Python's keywords and strings have their own colours; the names they introduce do not.
    // Monaco loads the Python grammar on demand and colours the lines once it has.
    await expect.poll(() => tokenClass(page, "def inlet(self", "def"), { timeout: 10_000 }).toMatch(/\bmtk\d+/);
    const defClass = await tokenClass(page, "def inlet(self", "def");
    const nameClass = await tokenClass(page, "def inlet(self", "inlet");
    expect(defClass).toMatch(/\bmtk\d+/);
    expect(defClass).not.toBe(nameClass);
    expect(await tokenClass(page, "class Filter:", "class")).toBe(defClass);
    const docstringClass = await tokenClass(page, "title: Word Counter", "title: Word Counter");
    expect(docstringClass).not.toBe(nameClass);
    // TypeScript would find many errors in this text; the Python model gets none.
    await page.waitForTimeout(1500);
    expect(await page.locator(".view-overlays .squiggly-error").count()).toBe(0);
    await screenshot(page, "plugin-editor-python.png");

    // The name comes from the docstring's title when the field is left empty.
    await page.keyboard.press("Control+S");
    await page.waitForURL(/\/workspace\/functions\/word_counter$/);
    await page.getByText("Saved Word Counter").waitFor();
    const stored = (await api("GET", "/api/v1/functions/id/word_counter")).body;
    expect(stored).toMatchObject({ type: "filter", name: "Word Counter", content: PYTHON_FILTER });
    // Pasted without a permissions line: it asks for the tier and, as in Open WebUI, the internet.
    expect(stored.meta.permissions.requested).toEqual(["network:*", "python"]);

    // Opened again, the stored plugin is highlighted as Python from the start.
    await page.reload();
    await page.locator(".monaco-editor .view-line", { hasText: "class Filter:" }).waitFor();
    expect(await surface.getAttribute("data-language")).toBe("python");
    await expect.poll(() => tokenClass(page, "class Filter:", "class"), { timeout: 10_000 }).toBe(defClass);
    tab.assertNoErrors();
  });

  it("shows the server's load error on its line and keeps the text", async () => {
    await api("POST", "/api/v1/functions/create", { id: "broken_soon", name: "Broken Soon", content: PLUGIN_TEMPLATES.action });
    const { page } = await openSignedIn();
    await page.goto("/workspace/functions/broken_soon");
    await page.locator(".monaco-editor .view-line", { hasText: "export default defineAction({" }).click();
    await page.keyboard.press("Home");
    await page.keyboard.type("const = 1;");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Save", exact: true }).click();

    const alert = page.getByRole("alert").filter({ hasText: "The server refused the code" });
    await alert.waitFor();
    const lineText = (await alert.innerText()).match(/line (\d+), column (\d+)/);
    expect(lineText).not.toBeNull();
    const line = Number(lineText![1]);
    expect(line).toBe(await lineNumberOf(page, "const = 1;"));
    await expect.poll(() => decoratedLines(page, "server-error-line"), { timeout: 5000 }).toEqual([line]);
    expect(await page.locator(".monaco-editor .view-line", { hasText: "const = 1;" }).count()).toBe(1);
    expect(await page.getByText("Unsaved changes").count()).toBe(1);
    // The stored plugin is as it was.
    expect((await api("GET", "/api/v1/functions/id/broken_soon")).body.content).toBe(PLUGIN_TEMPLATES.action);

    await page.getByRole("button", { name: `Go to line ${line}` }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest(".monaco-editor") !== null), { timeout: 5000 }).toBe(true);
    tab.assertNoErrors([EXPECTED_REFUSAL]);
  });

  it("asks before leaving unsaved edits, by a link or by Back, and keeps them when the user stays", async () => {
    await api("POST", "/api/v1/functions/create", { id: "half_done", name: "Half Done", content: PLUGIN_TEMPLATES.action });
    const { page } = await openSignedIn();
    await page.goto("/workspace/functions");
    await page.getByRole("listitem", { name: "Half Done" }).getByRole("link", { name: "Half Done", exact: true }).click();
    await page.waitForURL(/\/workspace\/functions\/half_done$/);
    await page.locator(".monaco-editor .view-line", { hasText: "export default defineAction({" }).click();
    await page.keyboard.press("Home");
    await page.keyboard.type("// still thinking");
    await page.getByText("Unsaved changes").waitFor();

    const questions: string[] = [];
    const answerNext = (isLeaving: boolean) =>
      page.once("dialog", (dialog) => {
        questions.push(dialog.message());
        void (isLeaving ? dialog.accept() : dialog.dismiss());
      });

    answerNext(false);
    await page.getByRole("link", { name: "← Functions" }).click();
    await expect.poll(() => questions.length).toBe(1);
    expect(questions[0]).toContain("Leave without saving?");
    expect(page.url()).toMatch(/\/workspace\/functions\/half_done$/);
    expect(await page.locator(".monaco-editor .view-line", { hasText: "// still thinking" }).count()).toBe(1);

    answerNext(false);
    await page.goBack();
    await expect.poll(() => questions.length).toBe(2);
    await expect.poll(() => page.url()).toMatch(/\/workspace\/functions\/half_done$/);
    expect(await page.locator(".monaco-editor .view-line", { hasText: "// still thinking" }).count()).toBe(1);

    answerNext(true);
    await page.getByRole("link", { name: "← Functions" }).click();
    await page.getByRole("listitem", { name: "Half Done" }).waitFor();
    expect(questions).toHaveLength(3);
    expect((await api("GET", "/api/v1/functions/id/half_done")).body.content).toBe(PLUGIN_TEMPLATES.action);
    tab.assertNoErrors();
  });

  it("changes a valve through the form, with errors by their field", async () => {
    const created = await api("POST", "/api/v1/functions/create", { id: "reply_style", name: "Reply Style", content: VALVES_PLUGIN });
    expect(created.status).toBe(200);
    const { page } = await openSignedIn();
    await page.goto("/workspace/functions");
    await page.getByRole("button", { name: "Valves of Reply Style" }).click();
    const dialog = page.getByRole("dialog", { name: "Reply Style: valves" });
    const maxWords = dialog.getByRole("textbox", { name: "Max words" });
    await maxWords.waitFor();
    expect(await maxWords.inputValue()).toBe("120");
    expect(await dialog.getByLabel("Api key", { exact: true }).getAttribute("type")).toBe("password");
    expect(await dialog.getByRole("combobox", { name: "Tone" }).inputValue()).toBe('"plain"');
    expect(await dialog.getByRole("group", { name: "Topics" }).getByRole("checkbox").count()).toBe(3);
    await screenshot(page, "valves-form.png");

    // Checked in the browser: out of bounds.
    await maxWords.fill("5");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.getByText("Must be at least 10").waitFor();
    expect(await maxWords.getAttribute("aria-invalid")).toBe("true");

    // Checked by the plugin's own schema on the server, shown by its field.
    await maxWords.fill("200");
    await dialog.getByRole("textbox", { name: "Batch" }).fill("3");
    await dialog.getByRole("combobox", { name: "Tone" }).selectOption({ label: "friendly" });
    await dialog.getByRole("checkbox", { name: "sport" }).check();
    await dialog.getByRole("button", { name: "Save" }).click();
    const batchError = dialog.locator(".valve-field", { has: page.getByRole("textbox", { name: "Batch" }) }).locator(".field-error");
    await batchError.waitFor();
    expect(await batchError.innerText()).toBe("Must be an even number");
    await screenshot(page, "valves-form-error.png");
    expect((await api("GET", "/api/v1/functions/id/reply_style/valves")).body).toEqual({});

    await dialog.getByRole("textbox", { name: "Batch" }).fill("4");
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved the valves of Reply Style").waitFor();
    // Fields left at their default are not stored.
    expect((await api("GET", "/api/v1/functions/id/reply_style/valves")).body).toEqual({
      maxWords: 200,
      batch: 4,
      tone: "friendly",
      topics: ["sport"],
    });

    await page.getByRole("button", { name: "Valves of Reply Style" }).click();
    await dialog.getByRole("button", { name: "Custom value for Max words", pressed: true }).click();
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved the valves of Reply Style").first().waitFor();
    await expect
      .poll(async () => (await api("GET", "/api/v1/functions/id/reply_style/valves")).body, { timeout: 5000 })
      .toEqual({ batch: 4, tone: "friendly", topics: ["sport"] });
    tab.assertNoErrors([EXPECTED_REFUSAL]);
  });

  it("attaches a filter to a model and approves a user", async () => {
    const pending = await fetch(`${sluice.url}/api/v1/auths/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Grace Pending", email: "grace@example.com", password: "correct horse battery staple" }),
    }).then((response) => response.json());
    expect(pending.role).toBe("pending");

    const { page } = await openSignedIn();
    await page.goto("/workspace/functions");
    await page.getByRole("listitem", { name: "Reply Style" }).waitFor();
    await screenshot(page, "workspace-functions.png");
    await page.goto("/workspace/models");
    await page.getByRole("button", { name: "Attach plugins to fake-small" }).click();
    const dialog = page.getByRole("dialog", { name: "Plugins of fake-small" });
    await dialog
      .getByRole("group", { name: "Filters" })
      .getByRole("checkbox", { name: /Reply Style/ })
      .check();
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved the plugins of fake-small").waitFor();
    const model = (await api("GET", "/api/v1/models/model?id=fake-small")).body;
    expect(model.meta.filterIds).toEqual(["reply_style"]);
    await page.reload();
    await page.locator(".model-summary").first().waitFor();
    await screenshot(page, "models.png");

    await page.goto("/admin/users");
    const grace = page.getByRole("listitem", { name: "Grace Pending" });
    await grace.getByRole("button", { name: "Approve" }).waitFor();
    await screenshot(page, "users.png");
    await grace.getByRole("button", { name: "Approve" }).click();
    await page.getByText("Approved Grace Pending").waitFor();
    const toolsSwitch = grace.getByRole("switch", { name: "Grace Pending may create tools" });
    await toolsSwitch.click();
    await expect.poll(() => toolsSwitch.isChecked(), { timeout: 5000 }).toBe(true);
    const user = (await api("GET", `/api/v1/users/${pending.id}`)).body;
    expect(user.role).toBe("user");
    expect(user.permissions.workspace.tools).toBe(true);
    tab.assertNoErrors();
  });

  it("exports, deletes after a confirmation, imports the export back, and opens a .ts file in the editor", async () => {
    const { page } = await openSignedIn();
    await page.goto("/workspace/functions");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^sluice-functions-\d{4}-\d{2}-\d{2}\.json$/);
    const exported = JSON.parse(
      await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8")),
    );
    const turnGuard = exported.find((row: { id: string }) => row.id === "turn_guard");
    expect(turnGuard.content).toContain("defineFilter");

    await page.getByRole("button", { name: "Delete Turn Guard" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete Turn Guard?" });
    await confirm.getByRole("button", { name: "Delete" }).click();
    await page.getByText("Deleted Turn Guard").waitFor();
    expect((await api("GET", "/api/v1/functions/id/turn_guard")).status).toBe(404);

    await page.getByRole("button", { name: "Import", exact: true }).click();
    const importer = page.getByRole("dialog", { name: "Import functions" });
    await importer.getByLabel("Exported JSON").fill(JSON.stringify([turnGuard]));
    await importer.getByRole("button", { name: "Import", exact: true }).click();
    await page.getByText("Imported 1 plugin").waitFor();
    await page.getByRole("listitem", { name: "Turn Guard" }).waitFor();

    await page.getByRole("button", { name: "Import", exact: true }).click();
    await importer.getByText("A .ts file").click();
    await importer
      .getByLabel("Plugin file")
      .setInputFiles({ name: "shout-tools.ts", mimeType: "text/typescript", buffer: Buffer.from(PLUGIN_TEMPLATES.tools) });
    // A tools module opens in the tools editor, named after its frontmatter title.
    await page.waitForURL(/\/workspace\/tools\/new\?draft/);
    expect(await page.getByLabel("Name", { exact: true }).inputValue()).toBe("Text tools");
    expect(await page.getByLabel("ID", { exact: true }).inputValue()).toBe("text_tools");
    await page.locator(".monaco-editor .view-line", { hasText: "count_words" }).waitFor();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.waitForURL(/\/workspace\/tools\/text_tools$/);
    const tool = (await api("GET", "/api/v1/tools/id/text_tools")).body;
    expect(tool.specs.map((spec: { name: string }) => spec.name)).toEqual(["count_words", "reverse"]);
    tab.assertNoErrors();
  });

  it("fits a 390-px-wide phone screen", async () => {
    await api("POST", "/api/v1/functions/create", { id: "phone_check", name: "Phone Check", content: PLUGIN_TEMPLATES.filter });
    const { page } = await openSignedIn({ width: 390, height: 844 });
    for (const pagePath of [
      "/workspace/functions",
      "/workspace/functions/phone_check",
      "/workspace/tools",
      "/workspace/models",
      "/admin/users",
    ]) {
      await page.goto(pagePath);
      await page.locator(".plugin-list, .monaco-editor, .empty-state").first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), pagePath).toBeLessThanOrEqual(390);
    }
    await page.goto("/workspace/functions");
    await page.getByRole("button", { name: "Valves of Phone Check" }).click();
    await page.getByRole("dialog").getByRole("textbox", { name: "Max turns" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    tab.assertNoErrors();
  });
});
