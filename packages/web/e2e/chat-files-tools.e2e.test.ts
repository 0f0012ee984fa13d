import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openPage, type WatchedPage } from "./launch-browser.ts";
import { startSluice, type SluiceForBrowser } from "./start-sluice.ts";

const SCREENSHOTS = path.resolve(import.meta.dirname, "../../../docs/screenshots");
const shouldTakeScreenshots = process.env.SLUICE_SCREENSHOTS === "1";

async function screenshot(page: Page, name: string): Promise<void> {
  if (!shouldTakeScreenshots) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name) });
}

/** A 64×64 red PNG, made here so the test needs no fixture file. */
function redSquarePng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(64, 0);
  header.writeUInt32BE(64, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: 64 }, () => [255, 0, 0]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: 64 }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", pixels),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/**
 * A user's tool: `get_weather` answers for a city and attaches a text report and a picture it
 * stores in the file store (a `files` event); Atlantis fails.
 */
const WEATHER_TOOL = `import { defineTools, z } from "@sluice/sdk";
const PICTURE = new Uint8Array([${[...redSquarePng()].join(",")}]);
export default defineTools({
  tools: {
    get_weather: {
      description: "Current weather for a city",
      parameters: z.object({ city: z.string().describe("City name") }),
      async execute(args, ctx) {
        if (args.city === "Atlantis") throw new Error("no such city: " + args.city);
        const report = await ctx.files.create({ name: "report-" + args.city + ".txt", data: "Sunny all day in " + args.city });
        const picture = await ctx.files.create({ name: "sky.png", contentType: "image/png", data: PICTURE });
        await ctx.emit({
          type: "files",
          data: {
            files: [
              { type: "file", id: report.id, url: report.url, name: report.name },
              { type: "image", id: picture.id, url: picture.url, name: picture.name },
            ],
          },
        });
        return { city: args.city, sky: "sunny" };
      },
    },
  },
});
`;

async function post(sluice: SluiceForBrowser, token: string, route: string, body: unknown): Promise<any> {
  const response = await fetch(sluice.url + route, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${route} failed with ${response.status}: ${text}`);
  return JSON.parse(text);
}

type UserMessage = { role: string; content: unknown };

function lastUserMessage(sluice: SluiceForBrowser): UserMessage {
  const bodies = sluice.upstream.chatBodies() as Array<{ messages: UserMessage[] }>;
  const body = bodies.filter((candidate) => !JSON.stringify(candidate.messages).includes("Generate a concise")).at(-1);
  return body!.messages.filter((message) => message.role === "user").at(-1)!;
}

/** Drops files on the composer as a drag from the desktop would. */
async function dropFiles(page: Page, files: Array<{ name: string; type: string; text: string }>): Promise<void> {
  // A composer still waiting for the model list takes no files, as a user would see it greyed out.
  await expect.poll(() => page.getByLabel("Message", { exact: true }).isEnabled(), { timeout: 15_000 }).toBe(true);
  await page.locator("form.chat-input").evaluate((form, dropped) => {
    const transfer = new DataTransfer();
    for (const file of dropped) transfer.items.add(new File([file.text], file.name, { type: file.type }));
    form.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    form.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, files);
}

/** Waits for the error toast a user sees, then closes it so the next one can be told apart. */
async function expectRefusal(page: Page, message: string): Promise<void> {
  const toast = page.getByRole("alert").filter({ hasText: message });
  await toast.waitFor();
  await toast.getByRole("button", { name: "Dismiss notification" }).click();
  await expect.poll(() => toast.count()).toBe(0);
}

async function pasteImage(page: Page, name: string): Promise<void> {
  await page.getByLabel("Message", { exact: true }).evaluate(
    (box, [fileName, bytes]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes as number[])], fileName as string, { type: "image/png" }));
      box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
    },
    [name, [...redSquarePng()]] as const,
  );
}

describe("files and tools in the chat, in Chromium", () => {
  let sluice: SluiceForBrowser;
  let browser: Browser;
  let adminToken: string;
  let userToken: string;

  beforeAll(async () => {
    [sluice, browser] = await Promise.all([startSluice(), launchBrowser()]);
    const admin = await post(sluice, "", "/api/v1/auths/signup", {
      name: "Admin",
      email: "admin@example.com",
      password: "correct horse battery",
    });
    const user = await post(sluice, "", "/api/v1/auths/signup", {
      name: "Grace Hopper",
      email: "grace@example.com",
      password: "correct horse battery",
    });
    await post(sluice, admin.token, `/api/v1/users/${user.id}/update`, { role: "user", permissions: { workspace: { tools: true } } });
    adminToken = admin.token;
    userToken = user.token;
    // The user creates a tool of their own (private: only they may use it).
    const tool = await post(sluice, userToken, "/api/v1/tools/create", {
      id: "weather_reports",
      name: "Weather reports",
      content: WEATHER_TOOL,
    });
    expect(tool).toMatchObject({ user_id: user.id, access_control: {} });
  });

  afterAll(async () => {
    await browser?.close();
    await sluice?.stop();
  });

  for (const viewport of [
    { name: "desktop", width: 1280, height: 800 },
    { name: "phone", width: 390, height: 844 },
  ]) {
    describe(`at ${viewport.width}×${viewport.height}`, () => {
      let tab: WatchedPage;

      beforeAll(async () => {
        tab = await openPage(browser, sluice.url, { width: viewport.width, height: viewport.height });
        await tab.page.goto("/");
        await tab.page.evaluate((token) => localStorage.setItem("token", token), userToken);
        await tab.page.goto("/");
        await tab.page.getByRole("heading", { name: "Hello, Grace" }).waitFor();
        await tab.page.getByLabel("Model", { exact: true }).selectOption("fake-small");
      });

      afterAll(async () => {
        await tab?.close();
      });

      it("attaches an image with the paperclip: a thumbnail in the composer and the message, an image part upstream", async () => {
        const { page } = tab;
        const chooser = page.waitForEvent("filechooser");
        await page.getByRole("button", { name: "Attach files" }).click();
        await (await chooser).setFiles({ name: "red.png", mimeType: "image/png", buffer: redSquarePng() });
        const thumbnail = page.locator(".composer-attachments img[alt='red.png']");
        await thumbnail.waitFor();
        expect(await thumbnail.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(64);

        await page.getByLabel("Message", { exact: true }).fill("what colour is this?");
        await page.getByRole("button", { name: "Send", exact: true }).click();
        await page.getByText("You said: what colour is this?").waitFor();
        const sent = page.locator(".message-user").last().locator("img[alt='red.png']");
        await sent.waitFor();
        expect(await sent.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(64);
        expect(await page.locator(".composer-attachments").count()).toBe(0);

        // A screenshot pasted into the message box is attached the same way.
        await page.getByLabel("Message", { exact: true }).evaluate(
          (box, bytes) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], "pasted.png", { type: "image/png" }));
            box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
          },
          [...redSquarePng()],
        );
        await page.locator(".composer-attachments img[alt='pasted.png']").waitFor();
        await page.getByRole("button", { name: "Remove pasted.png" }).click();
        await expect.poll(() => page.locator(".composer-attachments").count()).toBe(0);

        const content = lastUserMessage(sluice).content as Array<{ type: string; text?: string; image_url?: { url: string } }>;
        expect(content[0]).toEqual({ type: "text", text: "what colour is this?" });
        expect(content[1]?.type).toBe("image_url");
        expect(Buffer.from(content[1]!.image_url!.url.replace(/^data:image\/png;base64,/, ""), "base64")).toEqual(redSquarePng());
        await screenshot(page, `chat-files-image-${viewport.name}.png`);
        tab.assertNoErrors();
      });

      it("drops text files on the composer: chips with name and size, one removed, the other's text upstream", async () => {
        const { page } = tab;
        await page.goto("/");
        await page.getByRole("heading", { name: "Hello, Grace" }).waitFor();
        await dropFiles(page, [
          { name: "notes.txt", type: "text/plain", text: "The launch code is 4242." },
          { name: "draft.md", type: "text/markdown", text: "# Draft that should not be sent" },
        ]);
        const chips = page.locator(".composer-attachments .file-chip");
        await expect.poll(() => chips.count()).toBe(2);
        const notes = chips.filter({ hasText: "notes.txt" });
        await notes.getByText("24 B").waitFor();
        // Uploaded: the chip no longer says so.
        await expect.poll(() => chips.filter({ hasText: "uploading" }).count()).toBe(0);
        await screenshot(page, `chat-files-composer-${viewport.name}.png`);
        await page.getByRole("button", { name: "Remove draft.md" }).click();
        await expect.poll(() => chips.count()).toBe(1);

        await page.getByLabel("Message", { exact: true }).fill("what is the code?");
        await page.getByLabel("Message", { exact: true }).press("Enter");
        await page.getByText(/You said: .*what is the code\?/s).waitFor();
        const sentChip = page.locator(".message-user").last().locator(".file-chip");
        await sentChip.getByText("notes.txt").waitFor();
        await sentChip.getByText("24 B").waitFor();

        const content = String(lastUserMessage(sluice).content);
        expect(content).toContain("The launch code is 4242.");
        expect(content).toContain('name="notes.txt"');
        expect(content).not.toContain("Draft that should not be sent");

        // The sent file downloads with the user's token.
        const download = page.waitForEvent("download");
        await page.locator(".message-user").last().getByRole("button", { name: "Download notes.txt" }).click();
        expect(readFileSync(await (await download).path(), "utf8")).toBe("The launch code is 4242.");
        await screenshot(page, `chat-files-text-${viewport.name}.png`);
        tab.assertNoErrors();
      });

      it("picks the user's own tool: the call shows its arguments and result, and the file it made downloads", async () => {
        const { page } = tab;
        await page.goto("/");
        await page.getByRole("heading", { name: "Hello, Grace" }).waitFor();
        const picker = page.getByRole("button", { name: /^Tools/ });
        await picker.click();
        expect(await picker.getAttribute("aria-expanded")).toBe("true");
        const option = page.getByRole("group", { name: "Tools for this chat" }).getByRole("checkbox", { name: /Weather reports/ });
        await option.check();
        await page.keyboard.press("Escape");
        expect(await picker.getAttribute("aria-expanded")).toBe("false");
        expect(await picker.textContent()).toContain("Tools (1)");

        await page.getByLabel("Message", { exact: true }).fill("weather in Paris");
        await page.getByLabel("Message", { exact: true }).press("Enter");
        await page.getByText('Tool said: {"city":"Paris","sky":"sunny"}').waitFor();
        const block = page.locator(".tool-call").first();
        await block.getByText("Ran tool").waitFor();
        expect(await block.locator("summary").textContent()).toContain("get_weather");
        await block.locator("summary").click();
        expect(JSON.parse((await block.locator(".tool-call-arguments").textContent()) ?? "")).toEqual({ city: "Paris" });
        expect(JSON.parse((await block.locator(".tool-call-result").textContent()) ?? "")).toEqual({ city: "Paris", sky: "sunny" });
        const body = sluice.upstream.chatBodies().at(-2) as { tools?: Array<{ function: { name: string } }> };
        expect(body.tools?.map((tool) => tool.function.name)).toEqual(["get_weather"]);

        // The tool's `files` event: a chip that downloads the stored report.
        const answer = page.locator(".message-assistant").last();
        const download = page.waitForEvent("download");
        await answer.getByRole("button", { name: "Download report-Paris.txt" }).click();
        expect(readFileSync(await (await download).path(), "utf8")).toBe("Sunny all day in Paris");
        // The picture shows inline, read from the file store with the user's token.
        const picture = answer.locator(".message-files img[alt='sky.png']");
        await picture.waitFor();
        await expect.poll(() => picture.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(64);
        await screenshot(page, `chat-tools-call-${viewport.name}.png`);
        tab.assertNoErrors();
      });

      it("shows a failing tool's error in red, and keeps the chat's tools for the next message", async () => {
        const { page } = tab;
        expect(await page.getByRole("button", { name: /^Tools/ }).textContent()).toContain("Tools (1)");
        await page.getByLabel("Message", { exact: true }).fill("weather in Atlantis");
        await page.getByLabel("Message", { exact: true }).press("Enter");
        await page.getByText("Tool said: Error: no such city: Atlantis").waitFor();
        const block = page.locator(".message-assistant").last().locator(".tool-call");
        await block.getByText("Failed tool").waitFor();
        await block.locator("summary").click();
        const result = block.locator(".tool-call-result");
        expect(await result.textContent()).toBe("Error: no such city: Atlantis");
        const [summaryColour, resultColour] = await Promise.all([
          block.locator("summary").evaluate((element) => getComputedStyle(element).color),
          result.evaluate((element) => getComputedStyle(element).color),
        ]);
        // --color-danger, #b42318
        expect(summaryColour).toBe("rgb(180, 35, 24)");
        expect(resultColour).toBe("rgb(180, 35, 24)");
        if (viewport.width < 400)
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        await screenshot(page, `chat-tools-error-${viewport.name}.png`);
        tab.assertNoErrors();
      });

      it("keeps the chat's tools when the page reloads and when the chat is reopened; a new chat starts with none", async () => {
        const { page } = tab;
        const chatUrl = page.url();
        expect(chatUrl).toMatch(/\/c\/[^/]+$/);
        const picker = page.getByRole("button", { name: /^Tools/ });
        const option = page.getByRole("group", { name: "Tools for this chat" }).getByRole("checkbox", { name: /Weather reports/ });

        await page.reload();
        await page.getByText("Tool said: Error: no such city: Atlantis").waitFor();
        expect(await picker.textContent()).toContain("Tools (1)");
        await picker.click();
        expect(await option.isChecked()).toBe(true);
        await page.keyboard.press("Escape");

        // A new chat starts from the default: no tools picked.
        await page.goto("/");
        await page.getByRole("heading", { name: "Hello, Grace" }).waitFor();
        expect((await picker.textContent())?.trim()).toBe("Tools");
        await picker.click();
        expect(await option.isChecked()).toBe(false);
        await page.keyboard.press("Escape");

        // Reopened, the chat has its tool again, and the next message offers it to the model.
        await page.goto(chatUrl);
        await page.getByText("Tool said: Error: no such city: Atlantis").waitFor();
        expect(await picker.textContent()).toContain("Tools (1)");
        await page.getByLabel("Message", { exact: true }).fill("weather in New York");
        await page.getByLabel("Message", { exact: true }).press("Enter");
        await page.getByText('Tool said: {"city":"New York","sky":"sunny"}').waitFor();
        tab.assertNoErrors();
      });

      it("refuses images for a preset whose Vision capability the admin switched off, and sends it the other files", async () => {
        const { page } = tab;
        const presetId = `text-only-${viewport.name}`;
        const presetName = `Text only ${viewport.name}`;
        const refusal = `Model ${presetName} is not vision capable`;
        await post(sluice, adminToken, "/api/v1/models/create", { id: presetId, name: presetName, base_model_id: "fake-small", meta: {} });

        // The admin unticks Vision in the workspace's model dialog (ticked by default).
        const admin = await openPage(browser, sluice.url, { width: viewport.width, height: viewport.height });
        await admin.page.goto("/");
        await admin.page.evaluate((token) => localStorage.setItem("token", token), adminToken);
        await admin.page.goto("/workspace/models");
        await admin.page.getByRole("button", { name: `Attach plugins to ${presetName}` }).click();
        const dialog = admin.page.getByRole("dialog", { name: `Plugins of ${presetName}` });
        const vision = dialog.getByRole("group", { name: "Capabilities" }).getByRole("checkbox", { name: "Vision" });
        expect(await vision.isChecked()).toBe(true);
        await vision.uncheck();
        await dialog.getByRole("button", { name: "Save" }).click();
        await admin.page.getByText(`Saved the plugins of ${presetName}`).waitFor();
        await admin.page.getByRole("listitem").filter({ hasText: presetName }).getByText("Off: the chat refuses images").waitFor();
        admin.assertNoErrors();
        await admin.close();
        const models = await fetch(`${sluice.url}/api/models`, { headers: { authorization: `Bearer ${userToken}` } }).then(
          (response) => response.json() as Promise<{ data: Array<{ id: string; info?: { meta?: Record<string, unknown> } }> }>,
        );
        expect(models.data.find((model) => model.id === presetId)?.info?.meta?.capabilities).toEqual({ vision: false });

        // An image attached for a model that reads images is not sent once the preset is chosen.
        await page.goto("/");
        await page.getByRole("heading", { name: "Hello, Grace" }).waitFor();
        await page.getByLabel("Model", { exact: true }).selectOption("fake-small");
        let chooser = page.waitForEvent("filechooser");
        await page.getByRole("button", { name: "Attach files" }).click();
        await (await chooser).setFiles({ name: "red.png", mimeType: "image/png", buffer: redSquarePng() });
        await page.locator(".composer-attachments img[alt='red.png']").waitFor();
        await page.getByLabel("Model", { exact: true }).selectOption(presetId);
        await page.getByLabel("Message", { exact: true }).fill("which colour is it?");
        await page.getByRole("button", { name: "Send", exact: true }).click();
        await expectRefusal(page, refusal);
        expect(JSON.stringify(sluice.upstream.chatBodies())).not.toContain("which colour is it?");
        expect(await page.locator(".message-user").count()).toBe(0);
        expect(await page.getByLabel("Message", { exact: true }).inputValue()).toBe("which colour is it?");
        await page.getByRole("button", { name: "Remove red.png" }).click();

        // The paperclip, a drop and a paste: each image refused where the user sees it, the text file taken.
        chooser = page.waitForEvent("filechooser");
        await page.getByRole("button", { name: "Attach files" }).click();
        await (await chooser).setFiles({ name: "red.png", mimeType: "image/png", buffer: redSquarePng() });
        await expectRefusal(page, refusal);
        expect(await page.locator(".composer-attachments").count()).toBe(0);
        await dropFiles(page, [
          { name: "notes.txt", type: "text/plain", text: "The launch code is 4242." },
          { name: "dropped.png", type: "image/png", text: "not read" },
        ]);
        await expectRefusal(page, refusal);
        const chips = page.locator(".composer-attachments .file-chip");
        await chips.filter({ hasText: "notes.txt" }).waitFor();
        await pasteImage(page, "pasted.png");
        await expectRefusal(page, refusal);
        await screenshot(page, `chat-files-no-vision-${viewport.name}.png`);
        expect(await page.locator(".composer-attachments img").count()).toBe(0);
        expect(await chips.count()).toBe(1);
        await expect.poll(() => chips.filter({ hasText: "uploading" }).count()).toBe(0);

        await page.getByLabel("Message", { exact: true }).fill("what is the code?");
        await page.getByRole("button", { name: "Send", exact: true }).click();
        await page
          .locator(".message-assistant")
          .filter({ hasText: /You said: .*what is the code\?/s })
          .waitFor();
        const sent = lastUserMessage(sluice).content;
        expect(typeof sent).toBe("string");
        expect(String(sent)).toContain("The launch code is 4242.");

        // The base model still reads images.
        await page.getByLabel("Model", { exact: true }).selectOption("fake-small");
        await pasteImage(page, "pasted.png");
        await page.locator(".composer-attachments img[alt='pasted.png']").waitFor();
        await page.getByLabel("Message", { exact: true }).fill("and this one?");
        await page.getByRole("button", { name: "Send", exact: true }).click();
        await page
          .locator(".message-assistant")
          .filter({ hasText: /You said: .*and this one\?/s })
          .waitFor();
        // The question's request (not a background task's): its user message carries the image part.
        const questions = (sluice.upstream.chatBodies() as Array<{ messages: UserMessage[] }>)
          .map((body) => body.messages.filter((message) => message.role === "user").at(-1)!)
          .filter((message) => Array.isArray(message.content) && JSON.stringify(message.content).includes("and this one?"));
        const parts = questions.at(-1)!.content as Array<{ type: string; image_url?: { url: string } }>;
        const image = parts.find((part) => part.type === "image_url");
        expect(Buffer.from(image!.image_url!.url.replace(/^data:image\/png;base64,/, ""), "base64")).toEqual(redSquarePng());
        tab.assertNoErrors();
      });
    });
  }
});
