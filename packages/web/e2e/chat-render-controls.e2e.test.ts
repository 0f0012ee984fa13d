import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, type TestAccount } from "../../server/test/helpers/accounts.ts";
import { api } from "../../server/test/helpers/api.ts";
import { launchBrowser, openPage, type WatchedPage } from "./launch-browser.ts";
import { startSluice, type SluiceForBrowser } from "./start-sluice.ts";

const SCREENSHOTS = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
const shouldTakeScreenshots = process.env.SLUICE_SCREENSHOTS === "1";
/** A name that is not a secure context: the Clipboard API is missing there. */
const LAN_HOST = "sluice.lan";
const DARK_BACKGROUND = "rgb(21, 24, 30)";
const LIGHT_BACKGROUND = "rgb(255, 255, 255)";

const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
];

async function screenshot(page: Page, name: string): Promise<void> {
  if (!shouldTakeScreenshots) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name) });
}

/** Sends a message from the composer with Enter and waits for its answer to finish. */
async function ask(page: Page, text: string): Promise<void> {
  const answers = page.locator(".message-assistant");
  const before = await answers.count();
  const box = page.getByLabel("Message", { exact: true });
  await box.fill(text);
  await box.press("Enter");
  await answers.nth(before).waitFor();
  await expect.poll(() => answers.nth(before).getAttribute("aria-busy"), { timeout: 20_000 }).toBe("false");
}

function backgroundOf(page: Page): Promise<string> {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

describe.each(VIEWPORTS)("rich answers, chat controls, keyboard and theme at $width px", (viewport) => {
  let sluice: SluiceForBrowser;
  let browser: Browser;
  let tab: WatchedPage;
  let admin: TestAccount;
  let lanUrl: string;

  beforeAll(async () => {
    [sluice, browser] = await Promise.all([
      startSluice({ ENABLE_TITLE_GENERATION: "false" }),
      launchBrowser([`--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`]),
    ]);
    admin = await signUpAdmin(sluice.url);
    lanUrl = sluice.url.replace("127.0.0.1", LAN_HOST);
    tab = await openPage(browser, lanUrl, { width: viewport.width, height: viewport.height });
    await tab.context.addInitScript((token) => localStorage.setItem("token", token), admin.token);
    await tab.page.goto("/");
    await tab.page.getByLabel("Model", { exact: true }).selectOption("fake-small");
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await sluice?.stop();
  });

  it("shows streamed reasoning as 'Thinking…', then collapsed as 'Thought for …', also after a reload", async () => {
    const { page } = tab;
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    const box = page.getByLabel("Message", { exact: true });
    await box.fill("think first, please");
    await box.press("Enter");
    const reasoning = page.locator(".message-assistant .reasoning-block").first();
    await reasoning.getByText("Thinking…").waitFor();
    await reasoning.locator("summary", { hasText: /^Thought for/ }).waitFor({ timeout: 20_000 });
    await page.locator(".message-assistant").getByText("You said: think first, please").waitFor();
    // Collapsed: the thoughts are there but hidden until the summary is clicked.
    expect(await reasoning.evaluate((element) => (element as HTMLDetailsElement).open)).toBe(false);
    await expect.poll(() => reasoning.getByText("Let me think.").isVisible()).toBe(false);
    await reasoning.locator("summary").click();
    await reasoning.getByText("Let me think.").waitFor();

    await page.reload();
    const saved = page.locator(".message-assistant .reasoning-block").first();
    await saved.locator("summary", { hasText: /^Thought for (a moment|\d+ seconds?)$/ }).waitFor();
    expect(await saved.evaluate((element) => (element as HTMLDetailsElement).open)).toBe(false);
    await saved.locator("summary").click();
    await saved.getByText("Two and two make four.").waitFor();
    await page.locator(".message-assistant .markdown").getByText("You said: think first, please").waitFor();
    await screenshot(page, `render-controls-reasoning-${viewport.name}.png`);
    tab.assertNoErrors();
  });

  it("shows <think> and tool-call <details> in an answer as collapsible blocks", async () => {
    const { page } = tab;
    await page.keyboard.press("Control+Shift+O");
    await page.getByRole("heading", { name: /^Hello/ }).waitFor();
    const toolCall =
      '<details type="tool_calls" done="true" name="get_weather" arguments="{&quot;city&quot;:&quot;Paris&quot;}" result="&quot;Sunny&quot;">\n<summary>Tool Executed</summary>\n</details>';
    await ask(page, `<think>A quiet thought</think>\n\n${toolCall}\n\nAll done`);
    const answer = page.locator(".message-assistant").last();
    const thought = answer.locator(".reasoning-block");
    await thought.locator("summary", { hasText: "Thought" }).waitFor();
    expect(await thought.getByText("A quiet thought").isVisible()).toBe(false);
    await thought.locator("summary").click();
    await thought.getByText("A quiet thought").waitFor();
    const tool = answer.locator(".tool-call-details");
    await tool.locator("summary", { hasText: "Used get_weather" }).click();
    await tool.getByText('"city": "Paris"').waitFor();
    await tool.getByText('"Sunny"').waitFor();
    await answer.getByText("All done").waitFor();
    tab.assertNoErrors();
  });

  it("draws a mermaid block as an SVG diagram, and copies code over plain HTTP", async () => {
    const { page } = tab;
    await ask(page, "A diagram:\n\n```mermaid\ngraph TD\n  Start --> Finish\n```\n\n```ts\nconst answer = 42;\n```");
    const answer = page.locator(".message-assistant").last();
    const diagram = answer.locator(".mermaid-diagram svg");
    await diagram.waitFor({ timeout: 20_000 });
    expect(await diagram.textContent()).toContain("Finish");
    const box = await diagram.boundingBox();
    expect(box!.width).toBeGreaterThan(20);
    expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);

    const codeBlock = answer.locator(".code-block", { hasText: "const answer" });
    await codeBlock.getByRole("button", { name: "Copy code" }).click();
    await codeBlock.getByRole("button", { name: "Copy code" }).filter({ hasText: "Copied" }).waitFor();
    const composer = page.getByLabel("Message", { exact: true });
    await composer.focus();
    await page.keyboard.press("Control+V");
    await expect.poll(() => composer.inputValue()).toBe("const answer = 42;");
    await composer.fill("");
    await screenshot(page, `render-controls-mermaid-${viewport.name}.png`);
    tab.assertNoErrors();
  });

  it("sends the chat's system prompt and temperature, and keeps them with the chat", async () => {
    const { page } = tab;
    await page.keyboard.press("Control+Shift+O");
    await page.getByRole("heading", { name: /^Hello/ }).waitFor();
    await page.getByRole("button", { name: "Controls" }).click();
    const dialog = page.getByRole("dialog", { name: "Chat controls" });
    await dialog.getByLabel("System prompt").fill("Answer like a pirate.");
    await dialog.getByLabel("Temperature").fill("0.3");
    await dialog.getByLabel("Seed").fill("7");
    const dialogBox = await dialog.boundingBox();
    expect(dialogBox!.x).toBeGreaterThanOrEqual(0);
    expect(dialogBox!.x + dialogBox!.width).toBeLessThanOrEqual(viewport.width);
    await screenshot(page, `render-controls-chat-controls-${viewport.name}.png`);
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });

    await ask(page, "hello controls");
    const sent = sluice.upstream.chatBodies().at(-1)!;
    expect(sent.temperature).toBe(0.3);
    expect(sent.seed).toBe(7);
    expect((sent.messages as Array<{ role: string; content: string }>)[0]).toEqual({ role: "system", content: "Answer like a pirate." });
    // Focus is back in the composer after sending.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Message");

    await page.reload();
    await page.getByText("You said: hello controls").waitFor();
    await page.getByRole("button", { name: "Controls" }).click();
    await expect.poll(() => dialog.getByLabel("System prompt").inputValue()).toBe("Answer like a pirate.");
    expect(await dialog.getByLabel("Temperature").inputValue()).toBe("0.3");
    await dialog.getByLabel("Temperature").fill("5");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.getByRole("alert").getByText("Temperature must be a number from 0 to 2").waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();

    await ask(page, "again with controls");
    const again = sluice.upstream.chatBodies().at(-1)!;
    expect(again.temperature).toBe(0.3);
    expect((again.messages as Array<{ role: string; content: string }>)[0]!.content).toBe("Answer like a pirate.");
    tab.assertNoErrors();
  });

  it("stops a streaming answer with Esc, and opens a new chat with Ctrl+Shift+O, the cursor in the box", async () => {
    const { page } = tab;
    const box = page.getByLabel("Message", { exact: true });
    await box.fill("slow answer please");
    await box.press("Enter");
    const answer = page.locator(".message-assistant").last();
    await answer.getByText("tick").first().waitFor();
    const aborted = sluice.upstream.abortedRequests;
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Send" }).waitFor();
    await expect.poll(() => answer.getAttribute("aria-busy")).toBe("false");
    await expect.poll(() => sluice.upstream.abortedRequests).toBeGreaterThan(aborted);
    const stoppedText = await answer.locator(".markdown").textContent();
    await page.waitForTimeout(500);
    expect(await answer.locator(".markdown").textContent()).toBe(stoppedText);

    await box.blur();
    await page.keyboard.press("Control+Shift+O");
    await expect.poll(() => page.evaluate(() => location.pathname)).toBe("/");
    await page.getByRole("heading", { name: /^Hello/ }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Message");
    tab.assertNoErrors();
  });

  it("announces a finished answer in a polite live region", async () => {
    const { page } = tab;
    // What a screen reader gets: Chromium's accessibility tree, where the region is a live status.
    const cdp = await tab.context.newCDPSession(page);
    type AxNode = {
      nodeId: string;
      childIds?: string[];
      role?: { value?: string };
      name?: { value?: string };
      properties?: Array<{ name: string; value: { value?: unknown } }>;
    };
    /** The text of each polite live status region, as the accessibility tree holds it. */
    const liveRegions = async () => {
      const { nodes } = (await cdp.send("Accessibility.getFullAXTree")) as { nodes: AxNode[] };
      const byId = new Map(nodes.map((node) => [node.nodeId, node]));
      const textOf = (node: AxNode): string =>
        node.role?.value === "StaticText"
          ? (node.name?.value ?? "")
          : (node.childIds ?? []).map((id) => (byId.has(id) ? textOf(byId.get(id)!) : "")).join("");
      return nodes
        .filter((node) => node.role?.value === "status")
        .filter((node) => node.properties?.some((property) => property.name === "live" && property.value.value === "polite"))
        .map(textOf);
    };
    await page.getByTestId("answer-announcer").waitFor({ state: "attached" });
    await expect.poll(async () => (await liveRegions()).length).toBe(1);
    await ask(page, "read this aloud");
    // Shown once on the page (the region is not part of the page's searchable text)…
    await page.getByText("You said: read this aloud").waitFor();
    // …and read out by the live region.
    await expect.poll(async () => (await liveRegions()).join(" ")).toContain("Answer finished. You said: read this aloud");
    await cdp.detach();
    tab.assertNoErrors();
  });

  it("offers the workspace's presets in the model picker, and a preset brings its system prompt and parameters", async () => {
    const { page } = tab;
    const created = await api(sluice.url, admin.token).post("/api/v1/models/create", {
      id: "pirate-preset",
      name: "Pirate preset",
      base_model_id: "fake-small",
      meta: { description: "Talks like a pirate" },
      params: { system: "You are a pirate.", temperature: 0.7 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await page.keyboard.press("Control+Shift+O");
    await page.reload();
    const picker = page.getByLabel("Model", { exact: true });
    await picker.locator('optgroup[label="Presets"] option', { hasText: "Pirate preset" }).waitFor({ state: "attached" });
    await picker.selectOption("pirate-preset");
    await ask(page, "hello preset");
    const sent = sluice.upstream.chatBodies().at(-1)!;
    expect(sent.model).toBe("fake-small");
    expect(sent.temperature).toBe(0.7);
    expect((sent.messages as Array<{ role: string; content: string }>)[0]).toEqual({ role: "system", content: "You are a pirate." });
    tab.assertNoErrors();
  });

  it("switches to dark and back, remembers the choice, and follows the system when asked to", async () => {
    const { page } = tab;
    await page.emulateMedia({ colorScheme: "light" });
    expect(await backgroundOf(page)).toBe(LIGHT_BACKGROUND);
    const switcher = page.getByRole("group", { name: "Theme" });
    expect(await switcher.isVisible()).toBe(true);
    await switcher.getByRole("button", { name: "Dark theme" }).click();
    await expect.poll(() => backgroundOf(page)).toBe(DARK_BACKGROUND);
    await screenshot(page, `render-controls-dark-${viewport.name}.png`);
    await page.reload();
    await page.getByRole("group", { name: "Theme" }).waitFor();
    expect(await backgroundOf(page)).toBe(DARK_BACKGROUND);
    expect(await switcher.getByRole("button", { name: "Dark theme" }).getAttribute("aria-pressed")).toBe("true");

    await switcher.getByRole("button", { name: "Light theme" }).click();
    await expect.poll(() => backgroundOf(page)).toBe(LIGHT_BACKGROUND);
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await backgroundOf(page)).toBe(LIGHT_BACKGROUND);

    await switcher.getByRole("button", { name: "System theme" }).click();
    await expect.poll(() => backgroundOf(page)).toBe(DARK_BACKGROUND);
    await page.emulateMedia({ colorScheme: "light" });
    await expect.poll(() => backgroundOf(page)).toBe(LIGHT_BACKGROUND);
    await page.emulateMedia({ colorScheme: "dark" });
    // Every page, not only the chat: the workspace too.
    await page.goto("/workspace/functions");
    await expect.poll(() => backgroundOf(page)).toBe(DARK_BACKGROUND);
    tab.assertNoErrors();
  });
});
