import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import de from "./catalogues/de.ts";
import es from "./catalogues/es.ts";
import fr from "./catalogues/fr.ts";
import { type Catalogue, interfaceLanguage, LANGUAGES, setInterfaceLanguage, translate } from "./i18n.ts";

const SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Texts the code hands to `t()` as values rather than literals. */
const PASSED_AS_VALUES = [
  // Route titles and navigation labels (app/routes.tsx, workspace-routes.tsx, admin-routes.tsx, account-routes.tsx), and their sections.
  ...["Chat", "Users", "Connections", "Groups", "Account", "Functions", "New function", "Edit function", "Tools", "New tool", "Edit tool"],
  ...["Models", "Workspace", "Admin"],
  // The account's role in the sidebar.
  ...["admin", "user", "pending"],
  // The theme switch, the Copy buttons, the model picker's groups, the chat list's date headings.
  ...["System theme", "Light theme", "Dark theme", "Copy", "Copied", "Copy failed", "Presets", "Pipes"],
  ...["Today", "Yesterday", "Previous 7 days", "Previous 30 days"],
  // The chat controls' parameters (chat-controls.ts).
  ...["Temperature", "Top P", "Max tokens", "Seed"],
];

/** Every `t("…")` and `translate("…")` literal in the web UI's source. */
function textsAskedFor(): Set<string> {
  const texts = new Set<string>();
  const visit = (directory: string) => {
    for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
      const file = path.join(directory, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.includes(".test.") && !file.includes(`${path.sep}i18n${path.sep}`)) {
        for (const match of fs.readFileSync(file, "utf8").matchAll(/\b(?:t|translate)\(\s*"((?:[^"\\]|\\.)*)"/g)) {
          texts.add(JSON.parse(`"${match[1]}"`) as string);
        }
      }
    }
  };
  visit(SOURCE);
  return texts;
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe("translations", () => {
  afterEach(() => setInterfaceLanguage("en"));

  it.each<[string, Catalogue]>([
    ["de", de],
    ["fr", fr],
    ["es", es],
  ])("the %s catalogue translates every text the interface asks for, and only those, keeping each {placeholder}", (_tag, catalogue) => {
    const asked = textsAskedFor();
    expect(asked.size).toBeGreaterThan(150);
    const wanted = new Set([...asked, ...PASSED_AS_VALUES]);
    expect([...wanted].filter((text) => !catalogue[text])).toEqual([]);
    expect(Object.keys(catalogue).filter((text) => !wanted.has(text))).toEqual([]);
    for (const [english, translated] of Object.entries(catalogue)) {
      expect(placeholders(translated), `${english} → ${translated}`).toEqual(placeholders(english));
    }
  });

  it("offers exactly the languages it has catalogues for", () => {
    expect(LANGUAGES.map((language) => language.tag)).toEqual(["en", "de", "fr", "es"]);
  });

  it("shows English until a language is chosen, then that language, filling in values", async () => {
    expect(translate("New chat")).toBe("New chat");
    expect(translate("Hello, {name}", { name: "Ada" })).toBe("Hello, Ada");
    await setInterfaceLanguage("de");
    expect(interfaceLanguage()).toBe("de");
    expect(translate("New chat")).toBe("Neuer Chat");
    expect(translate("Delete “{title}”", { title: "Garden plans" })).toBe("„Garden plans“ löschen");
    // A text without a translation stays English; an unknown value name stays as written.
    expect(translate("Something new")).toBe("Something new");
    expect(translate("Hello, {name}", {})).toBe("Hallo, {name}");
  });

  it("falls back to English for a language it does not have, and the last of overlapping choices wins", async () => {
    await setInterfaceLanguage("ja");
    expect(interfaceLanguage()).toBe("en");
    await Promise.all([setInterfaceLanguage("fr"), setInterfaceLanguage("es")]);
    expect(interfaceLanguage()).toBe("es");
    expect(translate("Send")).toBe("Enviar");
  });
});
