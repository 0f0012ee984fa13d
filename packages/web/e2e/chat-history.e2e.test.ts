import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../../server/test/helpers/api.ts";
import { signUpAdmin, signUpUser, type TestAccount } from "../../server/test/helpers/accounts.ts";
import { launchBrowser, openPage, type WatchedPage } from "./launch-browser.ts";
import { startSluice, type SluiceForBrowser } from "./start-sluice.ts";

const shouldTakeScreenshots = process.env.SLUICE_SCREENSHOTS === "1";
const SCREENSHOTS = path.resolve(import.meta.dirname, "../../../docs/screenshots");
const DAY = 86_400;

/**
 * One chat as Open WebUI's "Export chat (.json)" writes it: an array of what
 * `GET /api/v1/chats/{id}` returns, the message tree in `chat.history` (`messages`, `currentId`).
 */
function openWebuiExportFile(updatedAt: number) {
  const user = {
    id: "3b9c1f1e-6f0e-4c55-9d2a-8f4f3f1d2a10",
    parentId: null,
    childrenIds: ["5e1d7a2b-9c3f-4b8e-a1d2-3c4b5a6e7f80"],
    role: "user",
    content: "Tell me something about otters",
    timestamp: updatedAt - 30,
    models: ["llama3.1:8b"],
  };
  const answer = {
    id: "5e1d7a2b-9c3f-4b8e-a1d2-3c4b5a6e7f80",
    parentId: user.id,
    childrenIds: [],
    role: "assistant",
    content: "Sea otters hold hands while they sleep so they do not drift apart.",
    model: "llama3.1:8b",
    modelName: "llama3.1:8b",
    modelIdx: 0,
    userContext: null,
    timestamp: updatedAt,
    done: true,
  };
  return [
    {
      id: "9a0f4e4c-2d8b-4f1a-b7c3-1e2d3c4b5a69",
      user_id: "0d6b2a8e-1f3c-4e5d-9a7b-6c5d4e3f2a1b",
      title: "Otter facts",
      chat: {
        id: "",
        title: "Otter facts",
        models: ["llama3.1:8b"],
        params: {},
        history: { messages: { [user.id]: user, [answer.id]: answer }, currentId: answer.id },
        messages: [user, answer],
        tags: [],
        timestamp: (updatedAt - 30) * 1000,
        files: [],
      },
      updated_at: updatedAt,
      created_at: updatedAt - 30,
      share_id: null,
      archived: false,
      pinned: false,
      meta: {},
      folder_id: null,
    },
  ];
}

const VIEWPORTS = [
  { name: "desktop", size: { width: 1280, height: 800 } },
  { name: "phone", size: { width: 390, height: 844 } },
] as const;

describe.each(VIEWPORTS)("chat history in the sidebar ($name)", ({ name: viewportName, size }) => {
  let sluice: SluiceForBrowser;
  let browser: Browser;
  let tab: WatchedPage;
  let user: TestAccount;
  const ids: Record<string, string> = {};
  const isPhone = viewportName === "phone";

  beforeAll(async () => {
    [sluice, browser] = await Promise.all([startSluice({ ENABLE_TITLE_GENERATION: "false" }), launchBrowser()]);
    const admin = await signUpAdmin(sluice.url);
    user = await signUpUser(sluice.url, admin);
    const seed = async (title: string, question: string, answerText: string) => {
      const messages = [
        { id: "q", parentId: null, childrenIds: ["a"], role: "user", content: question },
        { id: "a", parentId: "q", childrenIds: [], role: "assistant", content: answerText, model: "fake-small" },
      ];
      const history = { messages: Object.fromEntries(messages.map((message) => [message.id, message])), currentId: "a" };
      const created = await api(sluice.url, user.token).post("/api/v1/chats/new", {
        chat: { title, models: ["fake-small"], messages, history },
      });
      ids[title] = created.body.id;
    };
    await seed("Recipe ideas", "What can I cook with leeks?", "Leek and potato soup.");
    await seed("Garden plans", "When do I plant tulips?", "In autumn, before the first frost.");
    await seed("Ocean facts", "Why does the sea glow at night?", "Plankton make light by bioluminescence.");
    tab = await openPage(browser, sluice.url, size);
    await tab.context.addInitScript((token) => localStorage.setItem("token", token), user.token);
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await sluice?.stop();
  });

  const sidebar = () => tab.page.locator(".chat-history");
  const group = (label: string) =>
    sidebar()
      .locator(".chat-group")
      .filter({ has: tab.page.getByRole("heading", { name: label, exact: true }) });
  /** A folder's own list item (a folder's item holds the items of the folders inside it). */
  const folderGroup = (name: string) => sidebar().locator(`li.chat-folder[aria-label="Folder ${name}"]`);
  const folderHeader = (name: string) => folderGroup(name).locator(".chat-folder-header").first();
  const item = (title: string) => sidebar().locator(".chat-history-item", { hasText: title });

  /** On phones the sidebar is a drawer behind the menu button. */
  async function openSidebar(page: Page): Promise<void> {
    if (!isPhone) return;
    const menu = page.getByRole("button", { name: "Open menu" });
    if ((await menu.getAttribute("aria-expanded")) !== "true") await menu.click();
    await page.locator(".sidebar").getByRole("button", { name: "Close menu" }).waitFor();
  }

  async function chooseFromMenu(page: Page, title: string, action: string | RegExp): Promise<void> {
    const row = item(title).first();
    await row.hover();
    await row.getByRole("button", { name: `More options for “${title}”` }).click();
    await page
      .getByRole("menu", { name: `Options for “${title}”` })
      .getByRole("menuitem", { name: action })
      .click();
  }

  /** The chat titles of a group, sorted (chats seeded within one second have no set order). */
  async function titlesIn(locator: Locator): Promise<string[]> {
    return (await locator.locator(".chat-link-title").allInnerTexts()).sort();
  }

  async function screenshot(name: string): Promise<void> {
    if (!shouldTakeScreenshots) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await tab.page.screenshot({ path: path.join(SCREENSHOTS, `chat-history-${name}-${viewportName}.png`) });
  }

  it("lists today's chats under Today, and search finds a chat by a word in an answer", async () => {
    const { page } = tab;
    await page.goto("/");
    await openSidebar(page);
    await expect.poll(() => titlesIn(group("Today")), { timeout: 10_000 }).toEqual(["Garden plans", "Ocean facts", "Recipe ideas"]);
    await sidebar().getByLabel("Search chats").fill("bioluminescence");
    await group("Results").locator(".chat-history-item").first().waitFor();
    await expect.poll(() => titlesIn(group("Results")), { timeout: 10_000 }).toEqual(["Ocean facts"]);
    await sidebar().getByLabel("Search chats").fill("no chat says this");
    await group("Results").getByText("No chats found.").waitFor();
    await sidebar().getByLabel("Search chats").fill("");
    await group("Today").waitFor();
    tab.assertNoErrors();
  });

  it("pins a chat: it moves to the Pinned section on top", async () => {
    const { page } = tab;
    await chooseFromMenu(page, "Recipe ideas", "Pin");
    await group("Pinned").waitFor();
    const headings = await sidebar().locator(".chat-group-title").allInnerTexts();
    expect(headings[0]).toBe("Pinned");
    await expect.poll(() => titlesIn(group("Pinned")), { timeout: 10_000 }).toEqual(["Recipe ideas"]);
    await expect.poll(() => titlesIn(group("Today")), { timeout: 10_000 }).toEqual(["Garden plans", "Ocean facts"]);
    await page.reload();
    await openSidebar(page);
    await expect.poll(() => titlesIn(group("Pinned")), { timeout: 10_000 }).toEqual(["Recipe ideas"]);
    tab.assertNoErrors();
  });

  it("archives a chat: it leaves the list, the archived view shows it and unarchives it", async () => {
    const { page } = tab;
    await chooseFromMenu(page, "Garden plans", "Archive");
    await item("Garden plans").waitFor({ state: "detached" });
    await sidebar().getByRole("button", { name: "Archived chats" }).click();
    const dialog = page.getByRole("dialog", { name: "Archived chats" });
    await dialog.getByText("Garden plans").waitFor();
    await screenshot("archived");
    await dialog.getByRole("button", { name: "Unarchive “Garden plans”" }).click();
    await dialog.getByText("No archived chats.").waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    await item("Garden plans").waitFor();
    await expect.poll(() => titlesIn(group("Today")), { timeout: 10_000 }).toContain("Garden plans");
    tab.assertNoErrors();
  });

  it("tags a chat and filters the list by the tag", async () => {
    const { page } = tab;
    await chooseFromMenu(page, "Ocean facts", "Tags…");
    const dialog = page.getByRole("dialog", { name: "Tags of “Ocean facts”" });
    await dialog.getByLabel("New tag").fill("Marine Life");
    await dialog.getByRole("button", { name: "Add tag" }).click();
    await dialog.getByRole("button", { name: "Remove tag “Marine Life”" }).waitFor();
    await dialog.getByRole("button", { name: "Done" }).click();
    await sidebar().getByLabel("Filter by tag").selectOption({ label: "Marine Life" });
    await group("Results").waitFor();
    await expect.poll(() => titlesIn(group("Results")), { timeout: 10_000 }).toEqual(["Ocean facts"]);
    // With a search word too, the server filters by `tag:`.
    await sidebar().getByLabel("Search chats").fill("plankton");
    await group("Results").locator(".chat-history-item").first().waitFor();
    await expect.poll(() => titlesIn(group("Results")), { timeout: 10_000 }).toEqual(["Ocean facts"]);
    await sidebar().getByLabel("Search chats").fill("leek");
    await group("Results").getByText("No chats found.").waitFor();
    await sidebar().getByLabel("Search chats").fill("");
    await sidebar().getByLabel("Filter by tag").selectOption({ label: "All tags" });
    await group("Today").waitFor();
    const stored = await api(sluice.url, user.token).get(`/api/v1/chats/${ids["Ocean facts"]}`);
    expect(stored.body.meta.tags).toEqual(["marine_life"]);
    tab.assertNoErrors();
  });

  it("creates a folder, drags a chat into it, collapses it", async () => {
    const { page } = tab;
    await sidebar().getByRole("button", { name: "New folder" }).click();
    await sidebar().getByLabel("Folder name").fill("Projects");
    await sidebar().getByLabel("Folder name").press("Enter");
    const folder = folderGroup("Projects");
    await folder.getByText("Drop chats here").waitFor();
    await item("Garden plans").locator("a").dragTo(folder.locator(".chat-folder-header"));
    await folder.locator(".chat-history-item", { hasText: "Garden plans" }).waitFor();
    await expect.poll(() => titlesIn(group("Today")), { timeout: 10_000 }).toEqual(["Ocean facts"]);
    await screenshot("folders");
    const folders = await api(sluice.url, user.token).get("/api/v1/folders/");
    expect(folders.body.map((entry: { name: string }) => entry.name)).toEqual(["Projects"]);
    // The list moves the chat at once; the server's copy follows when the request lands.
    const storedFolder = async () => (await api(sluice.url, user.token).get(`/api/v1/chats/${ids["Garden plans"]}`)).body.folder_id;
    await expect.poll(storedFolder, { timeout: 10_000 }).toBe(folders.body[0].id);

    const toggle = folder.getByRole("button", { name: /^Projects/, expanded: true });
    await toggle.click();
    await folder.getByRole("button", { name: /^Projects/, expanded: false }).waitFor();
    expect(await folder.locator(".chat-history-item").count()).toBe(0);
    await page.reload();
    await openSidebar(page);
    expect(
      await folderGroup("Projects")
        .getByRole("button", { name: /^Projects/ })
        .getAttribute("aria-expanded"),
    ).toBe("false");
    await folderGroup("Projects")
      .getByRole("button", { name: /^Projects/ })
      .click();
    await folderGroup("Projects").locator(".chat-history-item", { hasText: "Garden plans" }).waitFor();
    // And out again, dropped on the list.
    await item("Garden plans").locator("a").dragTo(group("Today").locator(".chat-group-title"));
    await folderGroup("Projects").getByText("Drop chats here").waitFor();
    await expect.poll(() => titlesIn(group("Today")), { timeout: 10_000 }).toEqual(["Garden plans", "Ocean facts"]);
    tab.assertNoErrors();
  });

  it("nests folders: creates one inside another, drags a chat and folders in and out, keeps the tree", async () => {
    const { page } = tab;
    const client = api(sluice.url, user.token);
    const folderIds = async () =>
      Object.fromEntries(
        ((await client.get("/api/v1/folders/")).body as { id: string; name: string; parent_id: string | null }[]).map((entry) => [
          entry.name,
          entry,
        ]),
      );
    /** The names of a folder's own subfolders and chats, as shown. */
    const contents = (name: string) =>
      folderGroup(name)
        .locator(":scope > ul > li")
        .evaluateAll((items) =>
          items.map((item) =>
            item.matches(".chat-folder") ? `folder ${item.getAttribute("aria-label")?.slice(7)}` : (item.textContent ?? "").trim(),
          ),
        );

    // "Create folder" from the folder's menu names a folder inside it.
    await folderHeader("Projects").hover();
    await folderHeader("Projects").getByRole("button", { name: "More options for folder “Projects”" }).click();
    await page.getByRole("menu", { name: "Options for folder “Projects”" }).getByRole("menuitem", { name: "Create folder" }).click();
    await folderGroup("Projects").getByLabel("Folder name").fill("Bulbs");
    await folderGroup("Projects").getByLabel("Folder name").press("Enter");
    await folderGroup("Projects").locator('li.chat-folder[aria-label="Folder Bulbs"]').waitFor();
    await folderGroup("Bulbs").getByText("Drop chats here").waitFor();

    // A chat dragged onto the inner folder goes into it, not into the outer one.
    await item("Garden plans").locator("a").dragTo(folderHeader("Bulbs"));
    await folderGroup("Bulbs").locator(".chat-history-item", { hasText: "Garden plans" }).waitFor();
    await expect.poll(() => contents("Projects"), { timeout: 10_000 }).toEqual(["folder Bulbs"]);
    expect(await contents("Bulbs")).toEqual(["Garden plans"]);
    await expect.poll(() => titlesIn(group("Today")), { timeout: 10_000 }).toEqual(["Ocean facts"]);
    const folders = await folderIds();
    expect(folders.Bulbs.parent_id).toBe(folders.Projects.id);
    const folderOf = async (title: string) => (await client.get(`/api/v1/chats/${ids[title]}`)).body.folder_id;
    const parentOf = async (name: string) => (await folderIds())[name].parent_id;
    await expect.poll(() => folderOf("Garden plans"), { timeout: 10_000 }).toBe(folders.Bulbs.id);

    // The keyboard's way: the chat's menu lists the nested folder by its path.
    const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);
    const pressUntilFocused = async (key: string, locator: Locator) => {
      for (let step = 0; step < 12 && !(await isFocused(locator)); step += 1) await page.keyboard.press(key);
      expect(await isFocused(locator)).toBe(true);
    };
    await item("Ocean facts").getByRole("link").focus();
    await pressUntilFocused("Tab", item("Ocean facts").getByRole("button", { name: "More options for “Ocean facts”" }));
    await page.keyboard.press("Enter");
    const menu = page.getByRole("menu", { name: "Options for “Ocean facts”" });
    await pressUntilFocused("ArrowDown", menu.getByRole("menuitem", { name: "Pin" }));
    await pressUntilFocused("ArrowDown", menu.getByRole("menuitem", { name: "Move to “Projects / Bulbs”" }));
    await page.keyboard.press("Enter");
    await expect.poll(() => contents("Bulbs"), { timeout: 10_000 }).toEqual(["Garden plans", "Ocean facts"]);
    await expect.poll(() => folderOf("Ocean facts"), { timeout: 10_000 }).toBe(folders.Bulbs.id);
    // The outer folder counts the chats of the folders inside it.
    expect(await folderHeader("Projects").locator(".chat-folder-count").innerText()).toBe("2");
    await screenshot("folders-nested");

    // A folder dragged onto another goes inside it; never into a folder under itself; back to the top on the list's heading.
    await sidebar().getByRole("button", { name: "New folder" }).click();
    await sidebar().getByLabel("Folder name").fill("Reading");
    await sidebar().getByLabel("Folder name").press("Enter");
    await folderGroup("Reading").getByText("Drop chats here").waitFor();
    await folderHeader("Reading").dragTo(folderHeader("Bulbs"));
    await expect.poll(() => contents("Bulbs"), { timeout: 10_000 }).toEqual(["folder Reading", "Garden plans", "Ocean facts"]);
    await expect.poll(() => parentOf("Reading"), { timeout: 10_000 }).toBe(folders.Bulbs.id);
    await folderHeader("Projects").dragTo(folderHeader("Reading"));
    await folderHeader("Projects").dragTo(folderHeader("Bulbs"));
    expect(await parentOf("Projects")).toBe(null);
    expect(await contents("Projects")).toEqual(["folder Bulbs"]);
    await folderHeader("Reading").dragTo(sidebar().getByRole("heading", { name: "Chats", exact: true }));
    await expect.poll(() => parentOf("Reading"), { timeout: 10_000 }).toBe(null);
    await expect.poll(() => contents("Bulbs"), { timeout: 10_000 }).toEqual(["Garden plans", "Ocean facts"]);
    const topLevel = await sidebar()
      .locator(".chat-history-list > li.chat-folder")
      .evaluateAll((items) => items.map((entry) => entry.getAttribute("aria-label")));
    expect(topLevel).toEqual(["Folder Projects", "Folder Reading"]);

    // Closing the outer folder hides the inner one; the tree and each folder's state come back after a reload.
    await folderGroup("Projects")
      .getByRole("button", { name: /^Projects/, expanded: true })
      .click();
    await folderGroup("Bulbs").waitFor({ state: "detached" });
    await page.reload();
    await openSidebar(page);
    await folderGroup("Projects")
      .getByRole("button", { name: /^Projects/, expanded: false })
      .click();
    await expect.poll(() => contents("Bulbs"), { timeout: 10_000 }).toEqual(["Garden plans", "Ocean facts"]);

    // The folder's export holds the chats of the folders inside it, as Open WebUI's does.
    await folderHeader("Projects").hover();
    await folderHeader("Projects").getByRole("button", { name: "More options for folder “Projects”" }).click();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("menu", { name: "Options for folder “Projects”" }).getByRole("menuitem", { name: "Export chats" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^folder-Projects-export-\d+\.json$/);
    const exported = JSON.parse(readFileSync(await download.path(), "utf8")) as { title: string; folder_id: string }[];
    expect(exported.map((row) => row.title).sort()).toEqual(["Garden plans", "Ocean facts"]);

    // Deleting the outer folder deletes the inner one too; their chats go back to the list.
    await folderHeader("Projects").hover();
    await folderHeader("Projects").getByRole("button", { name: "Delete folder “Projects”" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete folder?" });
    await dialog.getByText("The folder “Projects” and the folder inside it will be deleted.").waitFor();
    expect(await dialog.getByLabel("Delete the chats inside too").isChecked()).toBe(false);
    await dialog.getByRole("button", { name: "Delete folder" }).click();
    await folderGroup("Projects").waitFor({ state: "detached" });
    await expect.poll(() => titlesIn(group("Today")), { timeout: 10_000 }).toEqual(["Garden plans", "Ocean facts"]);
    expect(Object.keys(await folderIds())).toEqual(["Reading"]);
    expect(await folderOf("Ocean facts")).toBe(null);
    tab.assertNoErrors();
  });

  it("exports a chat as Open WebUI's JSON and as Markdown", async () => {
    const { page } = tab;
    const [json] = await Promise.all([page.waitForEvent("download"), chooseFromMenu(page, "Ocean facts", "Export as JSON")]);
    expect(json.suggestedFilename()).toBe("chat-Ocean facts.json");
    const exported = JSON.parse(readFileSync(await json.path(), "utf8"));
    expect(Array.isArray(exported)).toBe(true);
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({
      id: ids["Ocean facts"],
      user_id: user.id,
      title: "Ocean facts",
      archived: false,
      pinned: false,
      folder_id: null,
      share_id: null,
      meta: { tags: ["marine_life"] },
      chat: {
        title: "Ocean facts",
        history: { currentId: "a", messages: { a: { role: "assistant", content: "Plankton make light by bioluminescence." } } },
      },
    });
    expect(typeof exported[0].created_at).toBe("number");
    expect(typeof exported[0].updated_at).toBe("number");

    const [markdown] = await Promise.all([page.waitForEvent("download"), chooseFromMenu(page, "Ocean facts", "Export as Markdown")]);
    expect(markdown.suggestedFilename()).toBe("chat-Ocean facts.md");
    expect(readFileSync(await markdown.path(), "utf8")).toBe(
      "# Ocean facts\n\n### USER\nWhy does the sea glow at night?\n\n### ASSISTANT\nPlankton make light by bioluminescence.\n",
    );
    tab.assertNoErrors();
  });

  it("imports an Open WebUI export, keeps its date (Previous 7 days) and opens it", async () => {
    const { page } = tab;
    const directory = mkdtempSync(path.join(tmpdir(), "sluice-import-"));
    const file = path.join(directory, "chat-export-1733400000000.json");
    writeFileSync(file, JSON.stringify(openWebuiExportFile(Math.floor(Date.now() / 1000) - 3 * DAY)));
    const [chooser] = await Promise.all([
      page.waitForEvent("filechooser"),
      sidebar().getByRole("button", { name: "Import chats" }).click(),
    ]);
    await chooser.setFiles(file);
    await page.getByRole("status").getByText("Imported 1 chat").waitFor();
    await group("Previous 7 days").getByText("Otter facts").waitFor();
    await expect.poll(() => titlesIn(group("Previous 7 days")), { timeout: 10_000 }).toEqual(["Otter facts"]);
    await expect.poll(() => titlesIn(group("Today")), { timeout: 10_000 }).toEqual(["Garden plans", "Ocean facts"]);
    await screenshot("groups");
    await item("Otter facts").getByRole("link").click();
    await page.getByText("Sea otters hold hands while they sleep").waitFor();
    await page.getByText("Tell me something about otters").waitFor();
    await page.locator(".top-bar-title", { hasText: "Otter facts" }).waitFor();
    if (isPhone) expect(await page.getByRole("button", { name: "Open menu" }).getAttribute("aria-expanded")).toBe("false");
    tab.assertNoErrors();
  });
});
