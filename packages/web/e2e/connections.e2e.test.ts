import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, type TestAccount } from "../../server/test/helpers/accounts.ts";
import { startFakeUpstream, type FakeUpstream } from "../../server/test/helpers/fake-upstream.ts";
import { launchBrowser, openPage, type WatchedPage } from "./launch-browser.ts";
import { startSluice, type SluiceForBrowser } from "./start-sluice.ts";

const SCREENSHOTS = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
const shouldTakeScreenshots = process.env.SLUICE_SCREENSHOTS === "1";
/** Chromium logs every refused request; testing a connection with a wrong key is refused on purpose (502). */
const EXPECTED_REFUSAL = /Failed to load resource: the server responded with a status of 502/;

const SECRET_KEY = "sk-e2e-secret-value-7f3a";

async function screenshot(page: Page, name: string): Promise<void> {
  if (!shouldTakeScreenshots) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
}

/** The model ids the chat page's model picker offers. */
async function pickerModels(page: Page): Promise<string[]> {
  await page.goto("/");
  const picker = page.getByLabel("Model", { exact: true });
  await picker.waitFor();
  // The list arrives after the page.
  await page.getByRole("status", { name: "Loading models" }).waitFor({ state: "detached" });
  return picker.locator("option").evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
}

const VIEWPORTS = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;

describe.each(VIEWPORTS)("the Connections admin page ($name)", ({ name, viewport }) => {
  let sluice: SluiceForBrowser;
  let extra: FakeUpstream;
  let ollama: FakeUpstream;
  let browser: Browser;
  let tab: WatchedPage;
  let admin: TestAccount;
  let extraUrl: string;
  let ollamaUrl: string;

  beforeAll(async () => {
    extra = await startFakeUpstream({ models: ["extra-model"], apiKey: SECRET_KEY });
    ollama = await startFakeUpstream({ models: ["llama-fake:1b"], ollamaVersion: "0.9.9" });
    extraUrl = extra.baseUrl;
    ollamaUrl = ollama.baseUrl.replace(/\/v1$/, "");
    // Nothing configured, and a fake Ollama where the page looks for one.
    [sluice, browser] = await Promise.all([startSluice({ OPENAI_API_BASE_URL: "", OLLAMA_PROBE_URL: ollamaUrl }), launchBrowser()]);
    admin = await signUpAdmin(sluice.url);
    tab = await openPage(browser, sluice.url, viewport);
    await tab.context.addInitScript((token) => localStorage.setItem("token", token), admin.token);
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await sluice?.stop();
    await extra?.close();
    await ollama?.close();
  });

  it("offers the local Ollama while nothing is configured", async () => {
    const { page } = tab;
    expect(await pickerModels(page)).not.toContain("extra-model");
    if (name === "desktop") {
      await page.getByRole("link", { name: /Connections/ }).click();
    } else {
      await page.goto("/admin/connections");
    }
    await page.getByRole("heading", { name: "Connections", level: 2 }).waitFor();
    await page.getByText("No connections yet").waitFor();
    const offer = page.getByRole("region", { name: "Ollama found" });
    await offer.getByText(`Ollama 0.9.9 is running at ${ollamaUrl}.`).waitFor();
    await screenshot(page, `connections-ollama-offer-${name}.png`);
    tab.assertNoErrors();
  });

  it("adds a connection, tests it (status and model count) and shows its key masked", async () => {
    const { page } = tab;
    await page.getByRole("button", { name: "Add connection" }).click();
    const dialog = page.getByRole("dialog", { name: "Add connection" });
    await dialog.getByLabel("Kind").selectOption("openai");
    await dialog.getByLabel("URL").fill(extraUrl);
    // A wrong key: the test says why the upstream refused it.
    await dialog.getByLabel("API key").fill("sk-wrong");
    await dialog.getByRole("button", { name: "Test" }).click();
    await dialog
      .getByRole("alert")
      .getByText(/answered 401: Incorrect API key/)
      .waitFor();
    await dialog.getByLabel("API key").fill(SECRET_KEY);
    await dialog.getByRole("button", { name: "Test" }).click();
    await dialog.getByRole("status").getByText("Connected · 1 model").waitFor();
    await dialog.getByRole("button", { name: "Add", exact: true }).click();
    await dialog.waitFor({ state: "detached" });

    const row = page.getByRole("listitem", { name: extraUrl });
    await row.getByText("OpenAI-compatible").waitFor();
    await row.getByText("sk-…7f3a").waitFor();
    await page.getByRole("button", { name: `Test ${extraUrl}` }).click();
    await page
      .getByRole("status", { name: `Status of ${extraUrl}` })
      .getByText("Connected · 1 model")
      .waitFor();
    // The offer is for an empty server only.
    expect(await page.getByRole("region", { name: "Ollama found" }).count()).toBe(0);

    // The key is never shown whole, not even in the edit dialog.
    expect(await page.locator("body").innerText()).not.toContain(SECRET_KEY);
    await page.getByRole("button", { name: `Edit ${extraUrl}` }).click();
    const edit = page.getByRole("dialog", { name: "Edit connection" });
    const keyField = edit.getByLabel("API key");
    expect(await keyField.inputValue()).toBe("");
    expect(await keyField.getAttribute("placeholder")).toBe("Unchanged (sk-…7f3a)");
    expect(await page.content()).not.toContain(SECRET_KEY);
    await edit.getByRole("button", { name: "Cancel" }).click();
    await screenshot(page, `connections-${name}.png`);
    if (name === "phone") expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    tab.assertNoErrors([EXPECTED_REFUSAL]);
  });

  it("lists the new connection's models in the chat model picker, without a restart, and chats with one", async () => {
    const { page } = tab;
    expect(await pickerModels(page)).toContain("extra-model");
    await page.getByLabel("Model", { exact: true }).selectOption("extra-model");
    await page.getByLabel("Message", { exact: true }).fill("hello extra");
    await page.getByLabel("Message", { exact: true }).press("Enter");
    await page.getByText("You said: hello extra").waitFor();
    expect(extra.chatBodies().some((body) => JSON.stringify(body.messages).includes("hello extra"))).toBe(true);
    tab.assertNoErrors([EXPECTED_REFUSAL]);
  });

  it("gives the connection a prefix and a model list: the picker shows prefix.model and chats still reach it", async () => {
    const { page } = tab;
    await page.goto("/admin/connections");
    await page.getByRole("button", { name: `Edit ${extraUrl}` }).click();
    const edit = page.getByRole("dialog", { name: "Edit connection" });
    await edit.getByLabel("Prefix ID").fill("lab");
    await edit.getByLabel("Model IDs").fill("extra-model, extra-listed");
    await edit.getByRole("button", { name: "Save" }).click();
    await edit.waitFor({ state: "detached" });
    await page.getByRole("listitem", { name: extraUrl }).getByText("Prefix: lab · Only: extra-model, extra-listed").waitFor();

    const models = await pickerModels(page);
    expect(models).toEqual(expect.arrayContaining(["lab.extra-model", "lab.extra-listed"]));
    expect(models).not.toContain("extra-model");
    await page.getByLabel("Model", { exact: true }).selectOption("lab.extra-model");
    await page.getByLabel("Message", { exact: true }).fill("hello prefixed");
    await page.getByLabel("Message", { exact: true }).press("Enter");
    await page.getByText("You said: hello prefixed").waitFor();
    // The upstream is asked for its own id.
    expect(extra.chatBodies().find((body) => JSON.stringify(body.messages).includes("hello prefixed"))?.model).toBe("extra-model");

    // Emptied again, the connection lists its own models under their own ids.
    await page.goto("/admin/connections");
    await page.getByRole("button", { name: `Edit ${extraUrl}` }).click();
    await edit.getByLabel("Prefix ID").fill("");
    await edit.getByLabel("Model IDs").fill("");
    await edit.getByRole("button", { name: "Save" }).click();
    await edit.waitFor({ state: "detached" });
    expect(await pickerModels(page)).toContain("extra-model");
    tab.assertNoErrors([EXPECTED_REFUSAL]);
  });

  it("switches the connection off: its models leave the picker", async () => {
    const { page } = tab;
    await page.goto("/admin/connections");
    const toggle = page.getByRole("switch", { name: `Use ${extraUrl}` });
    expect(await toggle.isChecked()).toBe(true);
    await toggle.click();
    await page.getByRole("listitem", { name: extraUrl }).getByText("off", { exact: true }).waitFor();
    expect(await toggle.isChecked()).toBe(false);
    expect(await pickerModels(page)).not.toContain("extra-model");
    tab.assertNoErrors([EXPECTED_REFUSAL]);
  });

  it("removes it, and then adds the Ollama it offers: Ollama's models join the picker", async () => {
    const { page } = tab;
    await page.goto("/admin/connections");
    await page.getByRole("button", { name: `Remove ${extraUrl}` }).click();
    const confirm = page.getByRole("dialog", { name: `Remove ${extraUrl}?` });
    await confirm.getByRole("button", { name: "Remove" }).click();
    await page.getByText("No connections yet").waitFor();

    await page.getByRole("region", { name: "Ollama found" }).getByRole("button", { name: "Add Ollama" }).click();
    const dialog = page.getByRole("dialog", { name: "Add connection" });
    expect(await dialog.getByLabel("Kind").inputValue()).toBe("ollama");
    expect(await dialog.getByLabel("URL").inputValue()).toBe(ollamaUrl);
    await dialog.getByRole("button", { name: "Add", exact: true }).click();
    const row = page.getByRole("listitem", { name: ollamaUrl });
    await row.getByText("Ollama", { exact: true }).waitFor();
    await row.getByText("no key").waitFor();
    await page
      .getByRole("status", { name: `Status of ${ollamaUrl}` })
      .getByText("Connected · Ollama 0.9.9 · 1 model")
      .waitFor();

    const models = await pickerModels(page);
    expect(models).toContain("llama-fake:1b");
    expect(models).not.toContain("extra-model");
    tab.assertNoErrors([EXPECTED_REFUSAL]);
  });

  it("says when a kind of connection is switched off as a whole (by a script) and switches it back on", async () => {
    const { page } = tab;
    const adminApi = (path: string, body?: unknown) =>
      fetch(sluice.url + path, {
        method: body === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const off = await adminApi("/openai/config/update", { ENABLE_OPENAI_API: false, OPENAI_API_BASE_URLS: [], OPENAI_API_KEYS: [] });
    expect(off.status).toBe(200);
    await page.goto("/admin/connections");
    const note = page.getByRole("status").filter({ hasText: "OpenAI-compatible connections are switched off as a whole" });
    await note.waitFor();
    await note.getByRole("button", { name: "Switch them on" }).click();
    await note.waitFor({ state: "detached" });
    expect((await (await adminApi("/openai/config")).json()).ENABLE_OPENAI_API).toBe(true);
    tab.assertNoErrors([EXPECTED_REFUSAL]);
  });
});
