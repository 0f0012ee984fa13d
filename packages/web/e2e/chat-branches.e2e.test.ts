import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, type TestAccount } from "../../server/test/helpers/accounts.ts";
import { launchBrowser, openPage } from "./launch-browser.ts";
import { startSluice, type SluiceForBrowser } from "./start-sluice.ts";

const SCREENSHOTS = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
const shouldTakeScreenshots = process.env.SLUICE_SCREENSHOTS === "1";
/** A 1×1 PNG. */
const PIXEL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

async function screenshot(page: Page, name: string): Promise<void> {
  if (!shouldTakeScreenshots) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name) });
}

interface StoredMessage {
  id: string;
  parentId: string | null;
  childrenIds: string[];
  role: string;
  content: string;
}

interface StoredChat {
  chat: { messages: StoredMessage[]; history: { messages: Record<string, StoredMessage>; currentId: string | null } };
}

/** The fake model answers `numbered` questions "Answer <n>: <question>", n counting the times it was asked. */
async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByLabel("Message", { exact: true }).fill(text);
  await page.getByLabel("Message", { exact: true }).press("Enter");
}

/** The turns on screen (a message with its versions and buttons), oldest first. */
function turns(page: Page): Locator {
  return page.locator(".chat-messages .message-turn");
}

/** What the screen shows of the conversation: each message's text. */
async function shownTexts(page: Page): Promise<string[]> {
  return turns(page).evaluateAll((elements) =>
    elements.map((element) => (element.querySelector(".message-bubble, .markdown") as HTMLElement | null)?.innerText.trim() ?? ""),
  );
}

async function versionOf(turn: Locator): Promise<string | null> {
  const count = turn.locator(".sibling-count");
  return (await count.count()) === 0 ? null : count.innerText();
}

/** Waits until the conversation on screen is exactly `expected` and no answer is streaming. */
async function waitForConversation(page: Page, expected: string[]): Promise<void> {
  await expect.poll(() => shownTexts(page), { timeout: 10_000 }).toEqual(expected);
  await page.getByRole("button", { name: "Send", exact: true }).waitFor();
}

for (const viewport of [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
]) {
  describe(`regenerate, edit and branches at ${viewport.width} px`, () => {
    let sluice: SluiceForBrowser;
    let browser: Browser;
    let admin: TestAccount;

    beforeAll(async () => {
      [sluice, browser] = await Promise.all([startSluice({ ENABLE_TITLE_GENERATION: "false" }), launchBrowser()]);
      admin = await signUpAdmin(sluice.url);
    });

    afterAll(async () => {
      await browser?.close();
      await sluice?.stop();
    });

    const storedChat = async (chatId: string): Promise<StoredChat> => {
      const response = await fetch(`${sluice.url}/api/v1/chats/${chatId}`, { headers: { authorization: `Bearer ${admin.token}` } });
      return (await response.json()) as StoredChat;
    };

    it("regenerates, edits into a new branch, edits an answer in place, continues and deletes, all kept over reloads", async () => {
      const tab = await openPage(browser, sluice.url, viewport);
      await tab.context.addInitScript((token) => localStorage.setItem("token", token), admin.token);
      const { page } = tab;
      try {
        await page.goto("/");
        await page.getByLabel("Model", { exact: true }).selectOption("fake-small");

        // Regenerate: a second answer, 2/2, and ‹ › between the two.
        await sendMessage(page, "numbered first");
        await waitForConversation(page, ["numbered first", "Answer 1: numbered first"]);
        const chatId = page.url().split("/c/")[1]!;
        expect(await versionOf(turns(page).nth(1))).toBeNull();
        await turns(page).nth(1).getByRole("button", { name: "Regenerate" }).click();
        await waitForConversation(page, ["numbered first", "Answer 2: numbered first"]);
        expect(await versionOf(turns(page).nth(1))).toBe("2/2");
        await turns(page).nth(1).getByRole("button", { name: "Previous version" }).click();
        await waitForConversation(page, ["numbered first", "Answer 1: numbered first"]);
        expect(await versionOf(turns(page).nth(1))).toBe("1/2");
        expect(await turns(page).nth(1).getByRole("button", { name: "Previous version" }).isDisabled()).toBe(true);
        await turns(page).nth(1).getByRole("button", { name: "Next version" }).click();
        await waitForConversation(page, ["numbered first", "Answer 2: numbered first"]);
        // One row of actions under the answer, as in Open WebUI, on one line that fits the screen.
        const answerTurn = turns(page).nth(1);
        expect(await answerTurn.getByRole("toolbar").count()).toBe(1);
        const rowButtons = answerTurn.getByRole("toolbar", { name: "Answer's actions" }).getByRole("button");
        expect(await rowButtons.evaluateAll((buttons) => buttons.map((button) => button.getAttribute("aria-label")))).toEqual([
          "Previous version",
          "Next version",
          "Copy",
          "Edit",
          "Regenerate",
          "Continue",
          "Delete",
        ]);
        const boxes = await rowButtons.evaluateAll((buttons) => buttons.map((button) => button.getBoundingClientRect().toJSON()));
        expect(new Set(boxes.map((box: DOMRect) => Math.round(box.top + box.height / 2))).size).toBe(1);
        expect(Math.max(...boxes.map((box: DOMRect) => box.right))).toBeLessThanOrEqual(viewport.width);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        await screenshot(page, `chat-branches-regenerated-${viewport.width}.png`);

        // Edit a question and send it: a new branch (2/2) with its own answer; the old one is a click away.
        await sendMessage(page, "numbered second");
        await waitForConversation(page, ["numbered first", "Answer 2: numbered first", "numbered second", "Answer 1: numbered second"]);
        await turns(page).nth(2).getByRole("button", { name: "Edit" }).click();
        const questionEditor = page.getByLabel("Edit your message");
        expect(await questionEditor.inputValue()).toBe("numbered second");
        await questionEditor.fill("numbered edited");
        await screenshot(page, `chat-branches-editing-${viewport.width}.png`);
        await page.locator(".message-editor").getByRole("button", { name: "Send", exact: true }).click();
        await waitForConversation(page, ["numbered first", "Answer 2: numbered first", "numbered edited", "Answer 1: numbered edited"]);
        expect(await versionOf(turns(page).nth(2))).toBe("2/2");
        // The model was asked the edited question after the first exchange on screen, not the old one.
        const editedRequest = sluice.upstream.chatBodies().at(-1)!.messages as { role: string; content: string }[];
        expect(editedRequest.map((message) => message.content)).toEqual(["numbered first", "Answer 2: numbered first", "numbered edited"]);
        await turns(page).nth(2).getByRole("button", { name: "Previous version" }).click();
        await waitForConversation(page, ["numbered first", "Answer 2: numbered first", "numbered second", "Answer 1: numbered second"]);
        expect(await versionOf(turns(page).nth(2))).toBe("1/2");

        // Edit an answer in place: no new call, and it is still there after a reload, on the branch chosen.
        const callsBefore = sluice.upstream.chatBodies().length;
        await turns(page).nth(3).getByRole("button", { name: "Edit" }).click();
        const answerEditor = page.getByLabel("Edit the answer");
        expect(await answerEditor.inputValue()).toBe("Answer 1: numbered second");
        await answerEditor.fill("My own answer");
        await page.getByRole("button", { name: "Save", exact: true }).click();
        await waitForConversation(page, ["numbered first", "Answer 2: numbered first", "numbered second", "My own answer"]);
        await page.reload();
        await waitForConversation(page, ["numbered first", "Answer 2: numbered first", "numbered second", "My own answer"]);
        expect(await versionOf(turns(page).nth(1))).toBe("2/2");
        expect(await versionOf(turns(page).nth(2))).toBe("1/2");
        expect(sluice.upstream.chatBodies().length).toBe(callsBefore);

        // Continue: the model is given the answer so far and what it adds is appended to the same answer.
        expect(await turns(page).nth(1).getByRole("button", { name: "Continue" }).count()).toBe(0);
        await turns(page).nth(3).getByRole("button", { name: "Continue" }).click();
        await waitForConversation(page, ["numbered first", "Answer 2: numbered first", "numbered second", "My own answer and so on."]);
        const continued = sluice.upstream.chatBodies().at(-1)!.messages as { role: string; content: string }[];
        expect(continued.at(-1)).toEqual({ role: "assistant", content: "My own answer" });
        await page.reload();
        await waitForConversation(page, ["numbered first", "Answer 2: numbered first", "numbered second", "My own answer and so on."]);

        // The stored chat is Open WebUI's: the whole tree in history, the path on screen in messages.
        let stored = await storedChat(chatId);
        const history = stored.chat.history;
        expect(Object.keys(history.messages)).toHaveLength(7);
        const pathIds = stored.chat.messages.map((message) => message.id);
        expect(history.currentId).toBe(pathIds.at(-1));
        const [first, firstAnswer, second] = stored.chat.messages;
        expect(first!.parentId).toBeNull();
        expect(history.messages[first!.id]!.childrenIds).toHaveLength(2);
        expect(history.messages[first!.id]!.childrenIds[1]).toBe(firstAnswer!.id);
        expect(second!.parentId).toBe(firstAnswer!.id);
        expect(history.messages[firstAnswer!.id]!.childrenIds).toHaveLength(2);

        // Delete an answer, then its question: each goes, with what follows it, and the other branch shows.
        await turns(page).nth(3).getByRole("button", { name: "Delete" }).click();
        await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
        await waitForConversation(page, ["numbered first", "Answer 2: numbered first", "numbered second"]);
        await turns(page).nth(2).getByRole("button", { name: "Delete" }).click();
        await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
        await waitForConversation(page, ["numbered first", "Answer 2: numbered first", "numbered edited", "Answer 1: numbered edited"]);
        expect(await versionOf(turns(page).nth(2))).toBeNull();
        await page.reload();
        await waitForConversation(page, ["numbered first", "Answer 2: numbered first", "numbered edited", "Answer 1: numbered edited"]);
        stored = await storedChat(chatId);
        expect(Object.keys(stored.chat.history.messages)).toHaveLength(5);
        expect(stored.chat.history.messages[firstAnswer!.id]!.childrenIds).toHaveLength(1);

        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        tab.assertNoErrors();
      } finally {
        await tab.close();
      }
    });

    it("opens a chat exported from Open WebUI with its branches", async () => {
      // As Open WebUI stores it: a regenerated answer, the second one on screen.
      const chat = {
        title: "From Open WebUI",
        models: ["fake-small"],
        history: {
          currentId: "a2",
          messages: {
            q1: {
              id: "q1",
              parentId: null,
              childrenIds: ["a1", "a2"],
              role: "user",
              content: [
                { type: "text", text: "Hi" },
                { type: "image_url", image_url: { url: PIXEL } },
              ],
              timestamp: 1700000000,
              models: ["fake-small"],
            },
            a1: {
              id: "a1",
              parentId: "q1",
              childrenIds: [],
              role: "assistant",
              content: "First hello",
              model: "fake-small",
              modelName: "fake-small",
              modelIdx: 0,
              timestamp: 1700000001,
              done: true,
            },
            a2: {
              id: "a2",
              parentId: "q1",
              childrenIds: [],
              role: "assistant",
              content: "Second hello",
              model: "fake-small",
              modelName: "fake-small",
              modelIdx: 0,
              timestamp: 1700000002,
              done: true,
            },
          },
        },
        messages: [],
        tags: [],
        timestamp: 1700000000000,
      };
      const response = await fetch(`${sluice.url}/api/v1/chats/new`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
        body: JSON.stringify({ chat }),
      });
      const { id } = (await response.json()) as { id: string };
      const tab = await openPage(browser, sluice.url, viewport);
      await tab.context.addInitScript((token) => localStorage.setItem("token", token), admin.token);
      const { page } = tab;
      try {
        await page.goto(`/c/${id}`);
        await waitForConversation(page, ["Hi\n[image]", "Second hello"]);
        expect(await versionOf(turns(page).nth(1))).toBe("2/2");
        await turns(page).nth(1).getByRole("button", { name: "Previous version" }).click();
        await waitForConversation(page, ["Hi\n[image]", "First hello"]);
        await expect.poll(async () => (await storedChat(id)).chat.history.currentId).toBe("a1");
        const stored = await storedChat(id);
        expect(stored.chat.messages.map((message) => message.id)).toEqual(["q1", "a1"]);
        expect(stored.chat.history.messages.a1).toMatchObject({ modelIdx: 0, modelName: "fake-small" });

        // Editing a question with an image changes its text and keeps the image.
        await turns(page).nth(0).getByRole("button", { name: "Edit" }).click();
        expect(await page.getByLabel("Edit your message").inputValue()).toBe("Hi");
        await page.getByLabel("Edit your message").fill("Hi again");
        await page.locator(".message-editor").getByRole("button", { name: "Send", exact: true }).click();
        await waitForConversation(page, ["Hi again\n[image]", "You said: Hi again"]);
        expect(await versionOf(turns(page).nth(0))).toBe("2/2");
        expect((sluice.upstream.chatBodies().at(-1)!.messages as unknown[]).at(-1)).toEqual({
          role: "user",
          content: [
            { type: "text", text: "Hi again" },
            { type: "image_url", image_url: { url: PIXEL } },
          ],
        });
        tab.assertNoErrors();
      } finally {
        await tab.close();
      }
    });
  });
}
