import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openPage, type WatchedPage } from "./launch-browser.ts";
import { startSluice, type SluiceForBrowser } from "./start-sluice.ts";

// The fake upstream answers "You said: <the message>", so the message is the Markdown to render.
const MESSAGE = [
  "Inline $x^2$ and \\(a+b\\), on a line:",
  "\\[",
  "\\sum_{i=1}^n i",
  "\\]",
  "",
  "```ts",
  "const answer: number = 42;",
  "```",
].join("\n");

describe("an answer's math and code in Chromium, under the page's security policy", () => {
  let sluice: SluiceForBrowser;
  let browser: Browser;
  let tab: WatchedPage;

  beforeAll(async () => {
    [sluice, browser] = await Promise.all([startSluice({ ENABLE_TITLE_GENERATION: "false" }), launchBrowser()]);
    tab = await openPage(browser, sluice.url);
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await sluice?.stop();
  });

  it("typesets math with KaTeX's own fonts and highlights code, with no error or refused resource", async () => {
    const { page } = tab;
    await page.goto("/");
    await page.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
    await page.getByLabel("Email", { exact: true }).fill("ada@example.com");
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Hello, Ada" }).waitFor();
    await page.getByLabel("Model", { exact: true }).selectOption("fake-small");
    await page.getByLabel("Message", { exact: true }).fill(MESSAGE);
    await page.getByLabel("Message", { exact: true }).press("Enter");

    const answer = page.locator(".message-assistant .markdown");
    await answer.getByText("You said: Inline").waitFor();
    await answer.locator(".katex").first().waitFor();
    expect(await answer.locator(".katex").count()).toBe(3);
    await answer.locator(".katex-display").waitFor();
    expect(await answer.locator(".katex-display annotation").textContent()).toBe("\\sum_{i=1}^n i");

    // The large display-style sum is set in KaTeX_Size2.
    const fonts = await page.evaluate(async () => {
      await document.fonts.ready;
      const loaded = [...document.fonts].filter((font) => font.status === "loaded").map((font) => font.family.replaceAll('"', ""));
      return { loaded, family: getComputedStyle(document.querySelector(".katex")!).fontFamily };
    });
    expect(fonts.loaded).toEqual(expect.arrayContaining(["KaTeX_Main", "KaTeX_Math", "KaTeX_Size2"]));
    expect(fonts.family).toMatch(/^KaTeX_Main\b/);

    const keyword = answer.locator("pre code .hljs-keyword", { hasText: "const" });
    await keyword.waitFor();
    // Coloured by the theme's token styles, not the plain code colour.
    const colours = await keyword.evaluate((element) => ({
      token: getComputedStyle(element).color,
      code: getComputedStyle(element.parentElement!).color,
    }));
    expect(colours.token).not.toBe(colours.code);
    tab.assertNoErrors();
  });
});
