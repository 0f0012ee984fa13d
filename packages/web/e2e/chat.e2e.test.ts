import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openPage, type WatchedPage } from "./launch-browser.ts";
import { checkerFilter, greeterPipe, shoutAction, showcasePipe } from "./sample-plugins.ts";
import { startSluice, type SluiceForBrowser } from "./start-sluice.ts";

async function tokenOf(page: Page): Promise<string> {
  return page.evaluate(() => localStorage.getItem("token") ?? "");
}

async function installFunction(
  sluice: SluiceForBrowser,
  token: string,
  id: string,
  name: string,
  content: string,
  options: { isGlobal?: boolean } = {},
): Promise<void> {
  const post = async (path: string, body?: unknown) => {
    const response = await fetch(sluice.url + path, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body ?? {}),
    });
    if (!response.ok) throw new Error(`${path} failed with ${response.status}: ${await response.text()}`);
  };
  await post("/api/v1/functions/create", { id, name, content });
  await post(`/api/v1/functions/id/${id}/toggle`);
  if (options.isGlobal) await post(`/api/v1/functions/id/${id}/toggle/global`);
}

describe("the web UI in Chromium", () => {
  let sluice: SluiceForBrowser;
  let browser: Browser;
  let tab: WatchedPage;

  beforeAll(async () => {
    [sluice, browser] = await Promise.all([startSluice(), launchBrowser()]);
    tab = await openPage(browser, sluice.url);
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await sluice?.stop();
  });

  it("signs up the first account as admin from the first-run page", async () => {
    const { page } = tab;
    await page.goto("/");
    await page.getByText("the first account becomes the admin").waitFor();
    await page.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
    await page.getByLabel("Email", { exact: true }).fill("ada@example.com");
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Hello, Ada" }).waitFor();
    expect(await page.locator(".account-role").textContent()).toBe("admin");
    tab.assertNoErrors();
  });

  it("chats with a toggled filter: its status, the streamed answer, its citation and a generated title", async () => {
    const { page } = tab;
    const token = await tokenOf(page);
    await installFunction(sluice, token, "checker", "Fact Checker", checkerFilter, { isGlobal: true });
    await installFunction(sluice, token, "shout", "Shout", shoutAction, { isGlobal: true });
    await installFunction(sluice, token, "greeter", "Greeter", greeterPipe);
    await page.reload();
    await page.getByLabel("Model", { exact: true }).selectOption("fake-small");

    const chip = page.getByRole("button", { name: "Fact Checker" });
    expect(await chip.getAttribute("aria-pressed")).toBe("false");
    await chip.click();
    expect(await chip.getAttribute("aria-pressed")).toBe("true");

    await page.getByLabel("Message", { exact: true }).fill("hello there");
    await page.getByLabel("Message", { exact: true }).press("Enter");
    await page.locator(".message-user").getByText("hello there").waitFor();
    await page.getByText("You said: hello there").waitFor();
    await page.getByText("Checked the handbook").waitFor();
    await page.getByRole("button", { name: /Team handbook/ }).waitFor();
    expect(page.url()).toMatch(/\/c\/[0-9a-f-]+$/);
    // The fake upstream answers title requests with "Fake Title"; chat:title renames the chat in the sidebar.
    await page.locator(".chat-history").getByText("Fake Title").waitFor();
    await page.locator(".top-bar-title", { hasText: "Fake Title" }).waitFor();

    const chatBody = sluice.upstream.chatBodies().find((body) => JSON.stringify(body.messages).includes("hello there"));
    expect(chatBody?.model).toBe("fake-small");
    tab.assertNoErrors();
  });

  it("runs an action after the user confirms, and keeps its result after a reload", async () => {
    const { page } = tab;
    await page.getByRole("button", { name: "Shout" }).click();
    const dialog = page.getByRole("dialog", { name: "Shout this answer?" });
    await dialog.getByText("capitals").waitFor();
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await page.getByText("YOU SAID: HELLO THERE").waitFor();
    await page.getByRole("status").getByText("Shouted").waitFor();

    await page.reload();
    await page.getByText("YOU SAID: HELLO THERE").waitFor();
    await page.getByText("Checked the handbook").waitFor();
    tab.assertNoErrors();
  });

  it("closing a confirmation answers no", async () => {
    const { page } = tab;
    await page.getByRole("button", { name: "Shout" }).click();
    await page.getByRole("dialog", { name: "Shout this answer?" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByText("Not shouting").waitFor();
    expect(await page.getByRole("dialog").count()).toBe(0);
    tab.assertNoErrors();
  });

  it("answers a pipe's input call, streams its Markdown, and shows a pipe's error on the message", async () => {
    const { page } = tab;
    await page.getByRole("link", { name: "New chat", exact: true }).click();
    await page.getByLabel("Model", { exact: true }).selectOption("greeter");
    await page.getByLabel("Message", { exact: true }).fill("greet me");
    await page.getByRole("button", { name: "Send" }).click();
    const dialog = page.getByRole("dialog", { name: "Your name" });
    await dialog.getByPlaceholder("Ada").fill("Grace");
    await dialog.getByRole("button", { name: "Send" }).click();
    await page.getByText("Hello, Grace!").waitFor();
    await page.locator("pre code", { hasText: 'const greeting = "hi";' }).waitFor();

    await page.getByLabel("Message", { exact: true }).fill("explode now");
    await page.getByLabel("Message", { exact: true }).press("Enter");
    await page.locator(".message-error", { hasText: "The greeter broke down" }).waitFor();
    // The server answered the refused request with an error status, which Chromium logs.
    tab.assertNoErrors([/Failed to load resource: the server responded with a status of (4|5)\d\d/]);
  });

  it("shows embeds in a sandboxed frame sized to them, keeps message-event text, and sends a follow-up on click", async () => {
    const { page } = tab;
    await installFunction(sluice, await tokenOf(page), "showcase", "Showcase", showcasePipe);
    await page.reload();
    await page.getByRole("link", { name: "New chat", exact: true }).click();
    await page.getByLabel("Model", { exact: true }).selectOption("showcase");
    await page.getByLabel("Message", { exact: true }).fill("find it");
    await page.getByLabel("Message", { exact: true }).press("Enter");
    await page.getByText("Looking it up… Found 42.").waitFor();

    const frame = page.locator("iframe.message-embed");
    expect(await frame.getAttribute("sandbox")).toBe("allow-scripts");
    const probe = page.frameLocator("iframe.message-embed").locator("#probe");
    // The embed's script ran, but reached neither the page, nor the token, nor the API as the user.
    await expect
      .poll(() => probe.textContent(), { timeout: 10_000 })
      .toMatch(/^Embed ran: parent blocked, storage blocked, api (blocked|401)$/);
    // Sized to its content (320 px), not cut at the frame's first 150 px.
    await expect.poll(async () => (await frame.boundingBox())?.height ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(320);
    expect((await frame.boundingBox())!.height).toBeLessThan(400);

    // The text of the message event is in the saved answer too.
    await page.reload();
    await page.getByText("Looking it up… Found 42.").waitFor();
    await expect.poll(() => probe.textContent(), { timeout: 10_000 }).toContain("Embed ran");

    const followUps = page.getByRole("group", { name: "Follow-up questions" });
    await followUps.getByRole("button", { name: "Why 42?" }).click();
    await page.locator(".message-user").getByText("Why 42?").waitFor();
    await page.getByText("Because it is the answer.").waitFor();
    // Follow-ups belong to the last answer only.
    expect(await page.getByRole("group", { name: "Follow-up questions" }).count()).toBe(0);
    // The embed's own request to the API was refused; Chromium logs that.
    tab.assertNoErrors([/Failed to load resource|CORS|net::ERR_FAILED/]);
    // Those expected refusals are checked: the next tests start from a clean record.
    tab.errors.splice(0);
  });

  it("stops a streaming answer and keeps what came, without an error", async () => {
    const { page } = tab;
    await page.getByRole("link", { name: "New chat", exact: true }).click();
    await page.getByLabel("Model", { exact: true }).selectOption("fake-small");
    // The fake upstream streams "tick " 200 times, 50 ms apart, for a message containing "slow".
    await page.getByLabel("Message", { exact: true }).fill("slow please");
    await page.getByLabel("Message", { exact: true }).press("Enter");
    await page.getByText("tick tick tick").waitFor();
    await page.getByRole("button", { name: "Stop the answer" }).click();
    await page.getByRole("button", { name: "Send", exact: true }).waitFor();
    const shown = await page.locator(".message-assistant .markdown").last().innerText();
    expect(shown).toMatch(/^(tick ?)+$/);
    await page.waitForTimeout(1000);
    await page.reload();
    await page.locator(".message-assistant .markdown").last().waitFor();
    expect(await page.locator(".message-error").count()).toBe(0);
    expect((await page.locator(".message-assistant .markdown").last().innerText()).length).toBeLessThan(200 * 5);
    tab.assertNoErrors([/Failed to load resource: the server responded with a status of (4|5)\d\d/]);
  });

  it("renames and deletes chats from the sidebar", async () => {
    const { page } = tab;
    const history = page.locator(".chat-history");
    const count = await history.locator(".chat-history-item").count();
    const first = history.locator(".chat-history-item").first();
    await first.hover();
    await first.getByRole("button", { name: /^Rename/ }).click();
    await history.getByLabel("Chat title", { exact: true }).fill("Greetings");
    await history.getByLabel("Chat title", { exact: true }).press("Enter");
    await history.getByText("Greetings").waitFor();
    await page.reload();
    await history.getByText("Greetings").waitFor();

    await history.locator(".chat-history-item", { hasText: "Greetings" }).hover();
    await history.getByRole("button", { name: "Delete “Greetings”" }).click();
    await page.getByRole("dialog", { name: "Delete chat?" }).getByRole("button", { name: "Delete" }).click();
    await page.waitForFunction((expected) => document.querySelectorAll(".chat-history-item").length === expected, count - 1);
    tab.assertNoErrors([/Failed to load resource: the server responded with a status of (4|5)\d\d/]);
  });

  it("signs out, and shows a later sign-up the waiting-for-approval page", async () => {
    const { page } = tab;
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();

    const newcomer = await openPage(browser, sluice.url);
    try {
      await newcomer.page.goto("/");
      await newcomer.page.getByRole("button", { name: "Create one" }).click();
      await newcomer.page.getByLabel("Name", { exact: true }).fill("Newcomer");
      await newcomer.page.getByLabel("Email", { exact: true }).fill("new@example.com");
      await newcomer.page.getByLabel("Password", { exact: true }).fill("another password");
      await newcomer.page.getByRole("button", { name: "Create account" }).click();
      await newcomer.page.getByRole("heading", { name: "Waiting for approval" }).waitFor();
      newcomer.assertNoErrors();
    } finally {
      await newcomer.close();
    }

    await page.getByLabel("Email", { exact: true }).fill("ada@example.com");
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
    await page.getByRole("button", { name: "Sign in" }).click();
    // Signed in again as Ada. (Which page she lands on depends on the chat the tab was showing,
    // and background title generation reorders the chats, so the empty-chat greeting is not it.)
    await page.locator(".account-name", { hasText: "Ada Lovelace" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    tab.assertNoErrors([/Failed to load resource: the server responded with a status of (4|5)\d\d/]);
  });
});
