/**
 * Saves screenshots of the chat and accounts pages into docs/screenshots/ (1280×800, and the
 * chat at 390 px wide): starts a server with the fake upstream and sample plugins, and drives
 * Chromium through a short session. Run with `npm run screenshots` (which also runs the
 * workspace browser tests with SLUICE_SCREENSHOTS=1 for the workspace pages).
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { buildWebIfStale } from "./build-web.ts";
import { launchBrowser, openPage } from "./launch-browser.ts";
import { checkerFilter, greeterPipe, handbookPipe, shoutAction } from "./sample-plugins.ts";
import { startSluice, type SluiceForBrowser } from "./start-sluice.ts";

const OUTPUT = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

async function save(page: Page, name: string): Promise<void> {
  // Let transitions and fonts settle.
  await page.waitForTimeout(250);
  await page.screenshot({ path: path.join(OUTPUT, name) });
  process.stdout.write(`saved docs/screenshots/${name}\n`);
}

async function api(sluice: SluiceForBrowser, token: string, method: string, route: string, body?: unknown): Promise<unknown> {
  const response = await fetch(sluice.url + route, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: method === "GET" ? undefined : JSON.stringify(body ?? {}),
  });
  if (!response.ok) throw new Error(`${method} ${route} failed with ${response.status}: ${await response.text()}`);
  return response.json();
}

async function installSamples(sluice: SluiceForBrowser, token: string): Promise<void> {
  const samples = [
    { id: "fact_checker", name: "Fact Checker", content: checkerFilter, isGlobal: true },
    { id: "shout", name: "Shout", content: shoutAction, isGlobal: true },
    { id: "greeter", name: "Greeter", content: greeterPipe, isGlobal: false },
    { id: "handbook", name: "Handbook Assistant", content: handbookPipe, isGlobal: false },
  ];
  for (const sample of samples) {
    await api(sluice, token, "POST", "/api/v1/functions/create", { id: sample.id, name: sample.name, content: sample.content });
    await api(sluice, token, "POST", `/api/v1/functions/id/${sample.id}/toggle`);
    if (sample.isGlobal) await api(sluice, token, "POST", `/api/v1/functions/id/${sample.id}/toggle/global`);
  }
  await api(sluice, token, "POST", "/api/v1/models/create", {
    id: "handbook",
    name: "Handbook Assistant",
    meta: { defaultFilterIds: ["fact_checker"], description: "Answers from the team handbook" },
  });
}

async function main(): Promise<void> {
  buildWebIfStale();
  mkdirSync(OUTPUT, { recursive: true });
  const [sluice, browser] = await Promise.all([startSluice({ ENABLE_TITLE_GENERATION: "false" }), launchBrowser()]);
  try {
    const tab = await openPage(browser, sluice.url, DESKTOP);
    const { page } = tab;

    await page.goto("/");
    await page.getByText("the first account becomes the admin").waitFor();
    await save(page, "first-run.png");
    await page.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
    await page.getByLabel("Email", { exact: true }).fill("ada@example.com");
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Hello, Ada" }).waitFor();
    const token = await page.evaluate(() => localStorage.getItem("token") ?? "");
    await installSamples(sluice, token);

    // Two earlier chats for the sidebar.
    await page.reload();
    const titleChat = async (title: string) => {
      const chatId = new URL(page.url()).pathname.split("/").at(-1)!;
      await api(sluice, token, "POST", `/api/v1/chats/${chatId}`, { chat: { title } });
    };
    for (const [question, title] of [
      ["Summarise the release notes", "Release notes summary"],
      ["Draft a welcome message for new teammates", "Welcome message draft"],
    ] as const) {
      await page.getByLabel("Model", { exact: true }).selectOption("fake-small");
      await page.getByLabel("Message", { exact: true }).fill(question);
      await page.getByLabel("Message", { exact: true }).press("Enter");
      await page.getByText(`You said: ${question}`).waitFor();
      await titleChat(title);
      await page.getByRole("link", { name: "New chat", exact: true }).click();
    }

    // The chat: a pipe at work (spinner), then its answer with sources and action buttons.
    await page.reload();
    await page.locator(".chat-history").getByText("Release notes summary").waitFor();
    await page.getByLabel("Model", { exact: true }).selectOption("handbook");
    await page.getByLabel("Message", { exact: true }).fill("How do we deploy on a Friday?");
    await page.getByLabel("Message", { exact: true }).press("Enter");
    await page.getByText("Reading 2 sections").waitFor();
    await save(page, "chat-working.png");
    await page.getByRole("button", { name: /Handbook: On-call/ }).waitFor();
    await page.locator(".message-toolbar").last().waitFor();
    await titleChat("Friday deploys");
    await page.reload();
    await page.getByRole("button", { name: /Handbook: On-call/ }).waitFor();
    await save(page, "chat.png");

    await page.getByRole("button", { name: "Shout" }).last().click();
    await page.getByRole("dialog", { name: "Shout this answer?" }).waitFor();
    await save(page, "chat-confirmation.png");
    await page.getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("button", { name: "Plugin settings" }).click();
    await page
      .getByRole("dialog")
      .getByRole("button", { name: /Fact Checker/ })
      .click();
    await page.getByRole("dialog", { name: /Fact Checker/ }).waitFor();
    await save(page, "chat-plugin-settings.png");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");

    const phone = await openPage(browser, sluice.url, PHONE);
    await phone.page.goto(page.url().replace(sluice.url, ""));
    await phone.page.evaluate((value) => localStorage.setItem("token", value), token);
    await phone.page.reload();
    await phone.page.getByRole("button", { name: /Handbook: On-call/ }).waitFor();
    await save(phone.page, "chat-phone.png");
    await phone.page.getByRole("button", { name: "Open menu" }).click();
    await save(phone.page, "chat-phone-menu.png");
    phone.assertNoErrors();
    await phone.close();

    const newcomer = await openPage(browser, sluice.url, DESKTOP);
    await newcomer.page.goto("/");
    await save(newcomer.page, "sign-in.png");
    await newcomer.page.getByRole("button", { name: "Create one" }).click();
    await newcomer.page.getByLabel("Name", { exact: true }).fill("Grace Hopper");
    await newcomer.page.getByLabel("Email", { exact: true }).fill("grace@example.com");
    await newcomer.page.getByLabel("Password", { exact: true }).fill("another password");
    await newcomer.page.getByRole("button", { name: "Create account" }).click();
    await newcomer.page.getByRole("heading", { name: "Waiting for approval" }).waitFor();
    await save(newcomer.page, "waiting-for-approval.png");
    newcomer.assertNoErrors();
    await newcomer.close();

    tab.assertNoErrors();
    await tab.close();
  } finally {
    await browser.close();
    await sluice.stop();
  }
}

await main();
