import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's Chromium, which `.ci/run` installs when it is missing. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Starts headless Chromium; fails with a hint when it is not installed. `extraArgs` adds
 * command-line switches, e.g. `--host-resolver-rules=MAP sluice.lan 127.0.0.1` to reach the
 * server by a name that is not a secure context.
 */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`Chromium is not at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
  /** Throws when the page logged an error, except those matching `allowed` (expected failed requests). */
  assertNoErrors(allowed?: RegExp[]): void;
  close(): Promise<void>;
}

/**
 * A new browser context (own storage) and page at `baseUrl`, recording every console error and
 * uncaught exception so a test can fail on them.
 *
 * @example
 * const tab = await openPage(browser, server.url);
 * await tab.page.goto(server.url);
 * tab.assertNoErrors();
 */
export async function openPage(browser: Browser, baseUrl: string, viewport = { width: 1280, height: 800 }): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, permissions: ["clipboard-read", "clipboard-write"] });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  return {
    page,
    context,
    errors,
    assertNoErrors(allowed = []) {
      const unexpected = errors.filter((error) => !allowed.some((pattern) => pattern.test(error)));
      if (unexpected.length > 0) throw new Error(`The page logged errors:\n${unexpected.join("\n")}`);
    },
    close: () => context.close(),
  };
}
