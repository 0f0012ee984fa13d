import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpAdmin, type TestAccount } from "../../server/test/helpers/accounts.ts";
import { weatherTools } from "../../server/test/fixtures/plugin-sources.ts";
import { launchBrowser, openPage, type WatchedPage } from "./launch-browser.ts";
import { startSluice, type SluiceForBrowser } from "./start-sluice.ts";

const SCREENSHOTS = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
const shouldTakeScreenshots = process.env.SLUICE_SCREENSHOTS === "1";
/** Chromium logs every refused request; these tests provoke some on purpose (a wrong password, a revoked key). */
const EXPECTED_REFUSALS = [/Failed to load resource: the server responded with a status of (400|401|403)/];

const VIEWPORTS = [
  { label: "desktop", width: 1280, height: 800 },
  { label: "phone", width: 390, height: 844 },
] as const;

type Viewport = (typeof VIEWPORTS)[number];

/** A 2×2 red PNG, as a user would pick from disk. */
const RED_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==",
  "base64",
);

async function screenshot(page: Page, name: string): Promise<void> {
  if (!shouldTakeScreenshots) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name) });
}

/** Opens the sidebar drawer on a phone (on a desktop the sidebar is always shown). */
async function showSidebar(page: Page): Promise<void> {
  const menu = page.getByRole("button", { name: "Open menu" });
  if (await menu.isVisible()) await menu.click();
}

/** True when the page is no wider than the window (nothing to scroll sideways on a phone). */
async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

async function hideSidebar(page: Page): Promise<void> {
  const close = page.getByRole("button", { name: "Close menu" });
  if (await close.isVisible()) await close.click();
}

async function signInWithForm(page: Page, email: string, password: string): Promise<void> {
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

describe("users, groups and accounts in Chromium", () => {
  let sluice: SluiceForBrowser;
  let browser: Browser;
  let admin: TestAccount;
  /** The server under a LAN name: plain HTTP that is not a secure context (no Clipboard API). */
  let lanUrl: string;

  const api = async (method: string, urlPath: string, body?: unknown, token = admin.token) => {
    const response = await fetch(sluice.url + urlPath, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    [sluice, browser] = await Promise.all([startSluice(), launchBrowser(["--host-resolver-rules=MAP sluice.lan 127.0.0.1"])]);
    admin = await signUpAdmin(sluice.url);
    lanUrl = sluice.url.replace("127.0.0.1", "sluice.lan");
  });

  afterAll(async () => {
    await browser?.close();
    await sluice?.stop();
  });

  async function openAs(token: string | null, viewport: Viewport, baseUrl = sluice.url): Promise<WatchedPage> {
    const tab = await openPage(browser, baseUrl, { width: viewport.width, height: viewport.height });
    if (token) await tab.context.addInitScript((value) => localStorage.setItem("token", value), token);
    return tab;
  }

  describe.each(VIEWPORTS)("at $width px", (viewport) => {
    const suffix = viewport.label;

    it("lets an admin add a user, change its role and password, and delete a user", async () => {
      const tab = await openAs(admin.token, viewport);
      const { page } = tab;
      await page.goto("/admin/users");
      await page.getByRole("button", { name: "Add user" }).click();
      const addDialog = page.getByRole("dialog", { name: "Add a user" });
      await addDialog.getByLabel("Name").fill(`Grace ${suffix}`);
      await addDialog.getByLabel("Email").fill(`grace-${suffix}@example.com`);
      await addDialog.getByLabel("Role").selectOption("pending");
      await addDialog.getByLabel("Password").fill("first password 1");
      await addDialog.getByRole("button", { name: "Add user" }).click();
      await page.getByText(`Added Grace ${suffix}`).waitFor();
      const row = page.getByRole("listitem", { name: `Grace ${suffix}` });
      await row.locator(".badge", { hasText: "pending" }).waitFor();

      await page.getByRole("button", { name: `Edit Grace ${suffix}` }).click();
      const editDialog = page.getByRole("dialog", { name: `Edit Grace ${suffix}` });
      await editDialog.getByLabel("Role").selectOption("user");
      await editDialog.getByLabel("New password").fill("reset password 2");
      await screenshot(page, `users-account-edit-user-${suffix}.png`);
      await editDialog.getByRole("button", { name: "Save" }).click();
      await page.getByText(`Saved Grace ${suffix}`).waitFor();
      await expect.poll(() => row.getByRole("combobox", { name: `Role of Grace ${suffix}` }).inputValue()).toBe("user");

      // Grace signs in with the password the admin set, and may chat (not "waiting for approval").
      const grace = await openAs(null, viewport);
      await grace.page.goto("/");
      await signInWithForm(grace.page, `grace-${suffix}@example.com`, "reset password 2");
      await grace.page.getByRole("heading", { name: `Hello, Grace` }).waitFor();
      grace.assertNoErrors();
      await grace.close();

      await page.getByRole("button", { name: `Delete Grace ${suffix}` }).click();
      await page
        .getByRole("dialog", { name: `Delete Grace ${suffix}?` })
        .getByRole("button", { name: "Delete" })
        .click();
      await page.getByText(`Deleted Grace ${suffix}`).waitFor();
      expect(await page.getByRole("listitem", { name: `Grace ${suffix}` }).count()).toBe(0);
      const signIn = await fetch(`${sluice.url}/api/v1/auths/signin`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: `grace-${suffix}@example.com`, password: "reset password 2" }),
      });
      expect(signIn.status).toBe(400);
      tab.assertNoErrors();
      await tab.close();
    });

    it("turns sign-up off, which the sign-up form then says, and on again", async () => {
      const tab = await openAs(admin.token, viewport);
      const { page } = tab;
      await page.goto("/admin/users");
      const signUpSwitch = page.getByRole("switch", { name: "Allow sign-up" });
      expect(await signUpSwitch.isChecked()).toBe(true);
      await signUpSwitch.click();
      await page.getByText("Sign-up is off: only admins add accounts").waitFor();
      expect(await signUpSwitch.isChecked()).toBe(false);
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, `users-account-users-${suffix}.png`);

      const visitor = await openAs(null, viewport);
      await visitor.page.goto("/");
      await visitor.page.getByRole("button", { name: "Create one" }).click();
      await visitor.page.getByText("Sign-up is turned off on this server").waitFor();
      expect(await visitor.page.getByRole("button", { name: "Create account" }).count()).toBe(0);
      visitor.assertNoErrors();
      await visitor.close();

      await signUpSwitch.click();
      await page.getByText("Anyone may now sign up").waitFor();
      expect((await api("GET", "/api/v1/auths/admin/config")).body.ENABLE_SIGNUP).toBe(true);
      tab.assertNoErrors();
      await tab.close();
    });

    it("creates a group, adds a member, grants it a permission, shares a tool with it and a model with a user", async () => {
      const member = await api("POST", "/api/v1/auths/add", {
        name: `Member ${suffix}`,
        email: `member-${suffix}@example.com`,
        password: "member password",
        role: "user",
      });
      const memberToken = (
        await fetch(`${sluice.url}/api/v1/auths/signin`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: `member-${suffix}@example.com`, password: "member password" }),
        }).then((response) => response.json())
      ).token as string;
      const toolId = `weather_${suffix}`;
      expect((await api("POST", "/api/v1/tools/create", { id: toolId, name: `Weather ${suffix}`, content: weatherTools })).status).toBe(
        200,
      );
      const memberSeesTool = async () =>
        (await api("GET", "/api/v1/tools/", undefined, memberToken)).body.some((tool: { id: string }) => tool.id === toolId);
      expect(await memberSeesTool()).toBe(false);

      const tab = await openAs(admin.token, viewport);
      const { page } = tab;
      await page.goto("/admin/groups");
      await page.getByLabel("Name of the new group").fill(`Team ${suffix}`);
      await page.getByRole("button", { name: "Create group" }).click();
      const group = page.getByRole("listitem", { name: `Team ${suffix}` });
      await group.waitFor();
      await group.getByLabel(`User to add to Team ${suffix}`).selectOption({ label: `Member ${suffix} (member-${suffix}@example.com)` });
      await group.getByRole("button", { name: "Add member" }).click();
      await page.getByText(`Added Member ${suffix} to Team ${suffix}`).waitFor();
      await group
        .getByRole("list", { name: `Members of Team ${suffix}` })
        .getByText(`Member ${suffix}`)
        .waitFor();
      await group.getByRole("switch", { name: `Team ${suffix}: Members may create tools` }).click();
      await page.getByText(`Team ${suffix}: members may create tools on`).waitFor();
      expect((await api("GET", "/api/v1/users/permissions", undefined, memberToken)).body.workspace.tools).toBe(true);

      await group.getByRole("button", { name: `Rename Team ${suffix}` }).click();
      await group.getByLabel("Group name").fill(`Crew ${suffix}`);
      await group.getByRole("button", { name: "Save" }).click();
      await page.getByRole("listitem", { name: `Crew ${suffix}` }).waitFor();
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, `users-account-groups-${suffix}.png`);

      await page.goto("/workspace/tools");
      await page.getByRole("button", { name: `Share Weather ${suffix}` }).click();
      const share = page.getByRole("dialog", { name: `Share Weather ${suffix}` });
      await share.getByRole("radio", { name: /Restricted/ }).check();
      await share.getByLabel("Group or user to share with").selectOption({ label: `Crew ${suffix}` });
      await share.getByRole("button", { name: "Add", exact: true }).click();
      await share.getByLabel(`Access of Crew ${suffix}`).selectOption("write");
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, `users-account-share-${suffix}.png`);
      await share.getByRole("button", { name: "Save access" }).click();
      await share.waitFor({ state: "detached" });
      await page
        .getByRole("listitem", { name: `Weather ${suffix}` })
        .getByText("Shared", { exact: true })
        .waitFor();
      const groupId = (await api("GET", "/api/v1/groups/")).body.find((item: { name: string }) => item.name === `Crew ${suffix}`).id;
      expect((await api("GET", `/api/v1/tools/id/${toolId}`)).body.access_control).toEqual({
        read: { group_ids: [groupId], user_ids: [] },
        write: { group_ids: [groupId], user_ids: [] },
      });
      expect(await memberSeesTool()).toBe(true);

      // A model shared with one user: that user sees it, others no longer do, until it is public again.
      const outsider = await api("POST", "/api/v1/auths/add", {
        name: `Outsider ${suffix}`,
        email: `outsider-${suffix}@example.com`,
        password: "outsider password",
        role: "user",
      });
      expect(outsider.status).toBe(200);
      const outsiderToken = (
        await fetch(`${sluice.url}/api/v1/auths/signin`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: `outsider-${suffix}@example.com`, password: "outsider password" }),
        }).then((response) => response.json())
      ).token as string;
      const modelIdsOf = async (token: string) =>
        (await api("GET", "/api/models", undefined, token)).body.data.map((model: { id: string }) => model.id);
      await page.goto("/workspace/models");
      await page.getByRole("button", { name: "Share fake-large" }).click();
      const modelShare = page.getByRole("dialog", { name: "Share fake-large" });
      await modelShare.getByRole("radio", { name: /Restricted/ }).check();
      await modelShare.getByLabel("Group or user to share with").selectOption({ label: `Member ${suffix} (member-${suffix}@example.com)` });
      await modelShare.getByRole("button", { name: "Add", exact: true }).click();
      await modelShare.getByRole("button", { name: "Save access" }).click();
      await page.getByText("Saved who may use fake-large").waitFor();
      expect(await modelIdsOf(memberToken)).toContain("fake-large");
      expect(await modelIdsOf(outsiderToken)).not.toContain("fake-large");
      await page.getByRole("button", { name: "Share fake-large" }).click();
      await modelShare.getByRole("radio", { name: /Public/ }).check();
      await modelShare.getByRole("button", { name: "Save access" }).click();
      await modelShare.waitFor({ state: "detached" });
      expect(await modelIdsOf(outsiderToken)).toContain("fake-large");

      // Deleting the group takes the member's permission with it.
      await page.goto("/admin/groups");
      await page.getByRole("button", { name: `Delete Crew ${suffix}` }).click();
      await page
        .getByRole("dialog", { name: `Delete the group Crew ${suffix}?` })
        .getByRole("button", { name: "Delete" })
        .click();
      await page.getByText(`Deleted the group Crew ${suffix}`).waitFor();
      expect((await api("GET", "/api/v1/users/permissions", undefined, memberToken)).body.workspace.tools).toBe(false);
      expect(member.status).toBe(200);
      tab.assertNoErrors();
      await tab.close();
    });

    it("lets a user change name, picture and password, and make, copy, use and revoke an API key over plain HTTP", async () => {
      const email = `ada-${suffix}@example.com`;
      expect((await api("POST", "/api/v1/auths/add", { name: "Ada", email, password: "old password 1", role: "user" })).status).toBe(200);
      const tab = await openAs(null, viewport, lanUrl);
      const { page } = tab;
      await page.goto("/");
      expect(await page.evaluate(() => ({ isSecure: window.isSecureContext, hasClipboard: typeof navigator.clipboard }))).toEqual({
        isSecure: false,
        hasClipboard: "undefined",
      });
      await signInWithForm(page, email, "old password 1");
      await page.getByRole("heading", { name: "Hello, Ada" }).waitFor();

      await showSidebar(page);
      await page.getByRole("link", { name: /Ada/ }).click();
      await page.waitForURL(/\/account$/);
      const name = page.getByRole("textbox", { name: "Name" });
      await name.fill(`Ada Lovelace ${suffix}`);
      await page.getByRole("button", { name: "Save name" }).click();
      await page.getByText("Saved your name").waitFor();
      await showSidebar(page);
      await page.locator(".sidebar .account-name").getByText(`Ada Lovelace ${suffix}`).waitFor();
      await page.keyboard.press("Escape");
      await page
        .getByRole("button", { name: "Close menu" })
        .click({ trial: false })
        .catch(() => {});

      await page.getByLabel("Upload picture").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: RED_PNG });
      await page.getByText("Saved your picture").waitFor();
      const picture = page.getByRole("img", { name: "Your picture" });
      await picture.waitFor();
      expect(await picture.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth)).toBe(128);
      expect(await page.locator(".sidebar .account img.avatar-image").getAttribute("src")).toMatch(/^data:image\/png;base64,/);
      // The picture is red: the scaled image kept its colour.
      const centre = await picture.evaluate((image: HTMLImageElement) => {
        const canvas = document.createElement("canvas");
        canvas.width = canvas.height = 1;
        const context = canvas.getContext("2d")!;
        context.drawImage(image, 64, 64, 1, 1, 0, 0, 1, 1);
        return [...context.getImageData(0, 0, 1, 1).data];
      });
      expect(centre).toEqual([255, 0, 0, 255]);

      // Theme and language.
      await page.getByRole("region", { name: "Preferences" }).getByLabel("Theme").selectOption("dark");
      expect(await page.evaluate(() => [document.documentElement.dataset.theme, localStorage.getItem("sluice.theme")])).toEqual([
        "dark",
        "dark",
      ]);
      // The top bar's switch shows the same choice.
      expect(await page.getByRole("button", { name: "Dark theme" }).getAttribute("aria-pressed")).toBe("true");
      await page.getByRole("button", { name: "Light theme" }).click();
      expect(await page.getByRole("region", { name: "Preferences" }).getByLabel("Theme").inputValue()).toBe("light");
      await page.getByRole("region", { name: "Preferences" }).getByLabel("Theme").selectOption("system");
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
      // The interface changes language at once, and stays in it on this device and after a reload.
      await page.getByLabel("Language").selectOption("de");
      await page.getByText("Sprache: Deutsch").waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe("de");
      await page.getByRole("heading", { name: "Einstellungen" }).waitFor();
      await page.getByRole("button", { name: "Schlüssel erstellen" }).waitFor();
      await page.reload();
      await page.getByRole("heading", { name: "Profil" }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe("de");
      await page.goto("/");
      await page.getByRole("heading", { name: "Hallo, Ada" }).waitFor();
      await expect
        .poll(() => page.getByRole("textbox", { name: "Nachricht" }).getAttribute("placeholder"), { timeout: 10_000 })
        .toBe("Nachricht senden");
      const menu = page.getByRole("button", { name: "Menü öffnen" });
      if (await menu.isVisible()) await menu.click();
      await page.getByRole("link", { name: "Neuer Chat" }).waitFor();
      await page.getByRole("searchbox", { name: "Chats durchsuchen" }).waitFor();
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, `users-account-language-${suffix}.png`);
      await page.getByRole("link", { name: /Ada/ }).click();
      await page.waitForURL(/\/account$/);
      await page.getByLabel("Sprache").selectOption("en");
      await page.getByText("Language: English").waitFor();
      await page.getByRole("heading", { name: "Preferences" }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
      // Signed out, the device's language still holds: the sign-in page in French.
      const visitor = await openAs(null, viewport);
      await visitor.context.addInitScript(() => localStorage.setItem("sluice.language", "fr"));
      await visitor.page.goto("/");
      await visitor.page.getByRole("heading", { name: "Se connecter" }).waitFor();
      expect(await visitor.page.getByRole("button", { name: "Se connecter" }).count()).toBe(1);
      expect(await visitor.page.evaluate(() => document.documentElement.lang)).toBe("fr");
      visitor.assertNoErrors();
      await visitor.close();

      // API key: create, copy without the Clipboard API, use, revoke.
      await page.getByRole("button", { name: "Create key" }).click();
      const keyField = page.getByLabel("Your new key (shown once: copy it now)");
      await keyField.waitFor();
      const key = await keyField.inputValue();
      expect(key).toMatch(/^sk-[0-9a-f]{48}$/);
      await page.getByRole("button", { name: "Copy API key" }).click();
      await page.getByRole("button", { name: "Copy API key" }).getByText("Copied").waitFor();
      const current = page.getByLabel("Current password");
      await current.focus();
      await page.keyboard.press("Control+V");
      expect(await current.inputValue()).toBe(key);
      await current.fill("");
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, `users-account-account-${suffix}.png`);

      const models = async () =>
        page.evaluate(async (apiKey) => {
          const response = await fetch("/api/models", { headers: { authorization: `Bearer ${apiKey}` } });
          return { status: response.status, ids: response.ok ? (await response.json()).data.map((model: { id: string }) => model.id) : [] };
        }, key);
      expect(await models()).toEqual({ status: 200, ids: expect.arrayContaining(["fake-small"]) });
      await page.getByRole("button", { name: "Revoke key" }).click();
      await page.getByRole("dialog", { name: "Revoke your API key?" }).getByRole("button", { name: "Revoke" }).click();
      await page.getByText("You have no API key.").waitFor();
      expect((await models()).status).toBe(401);

      // Password: a wrong current one is refused; the new one works after signing out.
      await page.getByLabel("Current password").fill("not my password");
      await page.getByLabel("New password", { exact: true }).fill("new password 2");
      await page.getByLabel("New password again").fill("new password 2");
      await page.getByRole("button", { name: "Change password" }).click();
      await page.getByText("The current password is incorrect").waitFor();
      await page.getByLabel("Current password").fill("old password 1");
      await page.getByRole("button", { name: "Change password" }).click();
      await page.getByText("Changed your password").waitFor();
      await showSidebar(page);
      await page.getByRole("button", { name: "Sign out" }).click();
      await signInWithForm(page, email, "old password 1");
      await page.getByText("Wrong email or password").waitFor();
      await page.getByLabel("Password", { exact: true }).fill("new password 2");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      // Back on the account page, signed in with the new password.
      await page.getByRole("heading", { name: "Profile" }).waitFor();
      expect(await page.getByRole("textbox", { name: "Name" }).inputValue()).toBe(`Ada Lovelace ${suffix}`);
      tab.assertNoErrors(EXPECTED_REFUSALS);
      await tab.close();
    });
  });
});
