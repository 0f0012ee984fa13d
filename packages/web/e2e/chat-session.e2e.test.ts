import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openPage, type WatchedPage } from "./launch-browser.ts";
import { startSluice, type SluiceForBrowser } from "./start-sluice.ts";

/** Chromium logs every refused request; some tests provoke them. */
const EXPECTED_REFUSALS = [/Failed to load resource/];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function tokenOf(page: Page): Promise<string> {
  return page.evaluate(() => localStorage.getItem("token") ?? "");
}

async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByLabel("Message", { exact: true }).fill(text);
  await page.getByLabel("Message", { exact: true }).press("Enter");
}

async function tickCount(page: Page): Promise<number> {
  const text = await page
    .locator(".message-assistant .markdown")
    .last()
    .innerText()
    .catch(() => "");
  return (text.match(/tick/g) ?? []).length;
}

/**
 * The chat page as a self-hoster meets it: over plain HTTP on a LAN name (not a secure context:
 * no `crypto.randomUUID`, no Clipboard API), with answers still streaming when they come back.
 */
describe("chats over plain HTTP on a LAN name", () => {
  let sluice: SluiceForBrowser;
  let browser: Browser;
  let tab: WatchedPage;
  let lanUrl: string;

  beforeAll(async () => {
    [sluice, browser] = await Promise.all([
      startSluice({ ENABLE_TITLE_GENERATION: "false" }),
      launchBrowser(["--host-resolver-rules=MAP sluice.lan 127.0.0.1"]),
    ]);
    lanUrl = sluice.url.replace("127.0.0.1", "sluice.lan");
    tab = await openPage(browser, lanUrl);
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await sluice?.stop();
  });

  const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(sluice.url + path, {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${await tokenOf(tab.page)}`, "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return response.json();
  };

  it("signs up, sends and answers, with working ids, and copies an answer", async () => {
    const { page } = tab;
    await page.goto("/");
    expect(
      await page.evaluate(() => ({
        isSecure: window.isSecureContext,
        hasUuid: typeof crypto.randomUUID,
        hasClipboard: typeof navigator.clipboard,
      })),
    ).toEqual({
      isSecure: false,
      hasUuid: "undefined",
      hasClipboard: "undefined",
    });
    await page.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
    await page.getByLabel("Email", { exact: true }).fill("ada@example.com");
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Hello, Ada" }).waitFor();
    await page.getByLabel("Model", { exact: true }).selectOption("fake-small");

    await sendMessage(page, "hello there");
    await page.locator(".message-user").getByText("hello there").waitFor();
    await page.getByText("You said: hello there").waitFor();
    expect(await page.getByLabel("Message", { exact: true }).inputValue()).toBe("");
    const chatId = page.url().split("/c/")[1]!;
    const stored = await api(`/api/v1/chats/${chatId}`);
    const ids = stored.chat.messages.map((message: { id: string }) => message.id);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(2);

    // Copy without the Clipboard API, then paste into the composer to read it back.
    await page.locator(".message-assistant").getByRole("button", { name: "Copy", exact: true }).click();
    await page.locator(".message-assistant").getByRole("button", { name: "Copied", exact: true }).waitFor();
    await page.getByLabel("Message", { exact: true }).focus();
    await page.keyboard.press("Control+V");
    expect(await page.getByLabel("Message", { exact: true }).inputValue()).toBe("You said: hello there");
    await page.getByLabel("Message", { exact: true }).fill("");
    tab.assertNoErrors();
  });

  it("keeps the text in the composer when the chat cannot be saved", async () => {
    const { page } = tab;
    await page.getByRole("link", { name: "New chat", exact: true }).click();
    await page.route("**/api/v1/chats/new", (route) => route.abort());
    try {
      await sendMessage(page, "please keep me");
      await page.getByText(/could not be saved/i).waitFor();
      expect(await page.getByLabel("Message", { exact: true }).inputValue()).toBe("please keep me");
    } finally {
      await page.unroute("**/api/v1/chats/new");
    }
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByText("You said: please keep me").waitFor();
    expect(await page.locator(".message-user").count()).toBe(1);
    tab.assertNoErrors(EXPECTED_REFUSALS);
  });

  it("Stop only stops: the draft in the composer stays there, unsent", async () => {
    const { page } = tab;
    await page.getByRole("link", { name: "New chat", exact: true }).click();
    await sendMessage(page, "slow please");
    await page.getByText("tick tick tick").waitFor();
    await page.getByLabel("Message", { exact: true }).fill("my next question");
    await page.getByRole("button", { name: "Stop the answer" }).click();
    await page.getByRole("button", { name: "Send", exact: true }).waitFor();
    // Give a wrongly submitted draft time to show up.
    await page.waitForTimeout(500);
    expect(await page.locator(".message-user").count()).toBe(1);
    expect(await page.getByLabel("Message", { exact: true }).inputValue()).toBe("my next question");
    expect(sluice.upstream.chatBodies().some((body) => JSON.stringify(body.messages).includes("my next question"))).toBe(false);
    await page.getByLabel("Message", { exact: true }).fill("");
    tab.assertNoErrors(EXPECTED_REFUSALS);
  });

  it("coming back to a chat still answering shows Stop, follows the answer, and stops it", async () => {
    const { page } = tab;
    await page.getByRole("link", { name: "New chat", exact: true }).click();
    await sendMessage(page, "slow please, again");
    await page.getByText("tick tick tick").waitFor();
    const chatPath = new URL(page.url()).pathname;

    await page.getByRole("link", { name: "New chat", exact: true }).click();
    await page.getByRole("heading", { name: "Hello, Ada" }).waitFor();
    await page.locator(`.chat-history a[href="${chatPath}"]`).click();
    await page.getByRole("button", { name: "Stop the answer" }).waitFor();
    expect(await page.getByRole("button", { name: "Send", exact: true }).count()).toBe(0);
    const seen = await tickCount(page);
    await page.waitForFunction(
      (before) => (document.querySelectorAll(".message-assistant .markdown")[0]?.textContent?.match(/tick/g) ?? []).length > before,
      seen,
    );

    // Another tab opening the chat sees it answering too.
    const other = await openPage(browser, lanUrl);
    try {
      await other.page.goto("/");
      await other.page.evaluate((token) => localStorage.setItem("token", token), await tokenOf(page));
      await other.page.goto(chatPath);
      await other.page.getByRole("button", { name: "Stop the answer" }).waitFor();
    } finally {
      await other.close();
    }

    await page.getByRole("button", { name: "Stop the answer" }).click();
    await page.getByRole("button", { name: "Send", exact: true }).waitFor();
    const chatId = chatPath.split("/c/")[1]!;
    await expect.poll(async () => (await api(`/api/tasks/chat/${chatId}`)).task_ids, { timeout: 10_000 }).toEqual([]);
    await page.reload();
    await page.locator(".message-assistant .markdown").last().waitFor();
    expect(await page.locator(".message-error").count()).toBe(0);
    expect(await tickCount(page)).toBeLessThan(200);
    expect(await page.getByRole("button", { name: "Stop the answer" }).count()).toBe(0);
    tab.assertNoErrors(EXPECTED_REFUSALS);
  });

  it("shrinks the composer back after sending a long message", async () => {
    const { page } = tab;
    await page.getByRole("link", { name: "New chat", exact: true }).click();
    const composer = page.getByLabel("Message", { exact: true });
    const oneLine = (await composer.boundingBox())!.height;
    await composer.fill(Array.from({ length: 20 }, (_, index) => `line ${index}`).join("\n"));
    expect((await composer.boundingBox())!.height).toBeGreaterThan(200);
    await composer.press("Enter");
    await page.getByText("You said: line 0").waitFor();
    expect((await composer.boundingBox())!.height).toBeLessThanOrEqual(oneLine + 1);
    tab.assertNoErrors(EXPECTED_REFUSALS);
  });

  it("renaming the open chat renames its header and the window title", async () => {
    const { page } = tab;
    const item = page.locator(".chat-history-item", { has: page.locator('a[aria-current="page"]') });
    await item.hover();
    await item.getByRole("button", { name: /^Rename/ }).click();
    await page.locator(".chat-history").getByLabel("Chat title", { exact: true }).fill("Long lines");
    await page.locator(".chat-history").getByLabel("Chat title", { exact: true }).press("Enter");
    await page.locator(".top-bar-title", { hasText: "Long lines" }).waitFor();
    await page.waitForFunction(() => document.title.startsWith("Long lines"));
    tab.assertNoErrors(EXPECTED_REFUSALS);
  });

  it("keeps the account footer in view with many chats; the chat list scrolls on its own", async () => {
    const { page } = tab;
    for (let index = 0; index < 25; index += 1)
      await api("/api/v1/chats/new", { method: "POST", body: { chat: { title: `Chat number ${index}`, messages: [] } } });
    await page.reload();
    await page.locator(".chat-history-item", { hasText: "Chat number 24" }).waitFor();
    const layout = await page.evaluate(() => {
      const footer = document.querySelector(".sidebar-footer")!.getBoundingClientRect();
      const list = document.querySelector(".chat-history ul")!;
      const lowest = Math.max(
        ...[...list.querySelectorAll(".chat-history-item")].map((item) =>
          Math.min(item.getBoundingClientRect().bottom, list.getBoundingClientRect().bottom),
        ),
      );
      return {
        footerBottom: footer.bottom,
        footerTop: footer.top,
        viewport: window.innerHeight,
        sidebarScrolls: document.querySelector(".sidebar")!.scrollHeight > document.querySelector(".sidebar")!.clientHeight,
        listScrolls: list.scrollHeight > list.clientHeight,
        lowestVisibleItem: lowest,
      };
    });
    expect(layout.footerBottom).toBeLessThanOrEqual(layout.viewport);
    expect(layout.sidebarScrolls).toBe(false);
    expect(layout.listScrolls).toBe(true);
    expect(layout.lowestVisibleItem).toBeLessThanOrEqual(layout.footerTop);
    // The list scrolls to its oldest chat while the footer stays put.
    await page.locator(".chat-history-item", { hasText: "Chat number 0" }).last().scrollIntoViewIfNeeded();
    const after = await page.evaluate(() => document.querySelector(".sidebar-footer")!.getBoundingClientRect().top);
    expect(after).toBe(layout.footerTop);
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    tab.assertNoErrors(EXPECTED_REFUSALS);
  });
});
