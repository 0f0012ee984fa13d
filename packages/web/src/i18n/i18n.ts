import { useSyncExternalStore } from "react";

/**
 * The interface's languages. English is the source: every text is written in English in the
 * code, and a catalogue maps it to its translation. A text a catalogue lacks shows in English,
 * as Open WebUI does with its partly translated languages.
 */
export const LANGUAGES = [
  { tag: "en", label: "English" },
  { tag: "de", label: "Deutsch" },
  { tag: "fr", label: "Français" },
  { tag: "es", label: "Español" },
] as const;

export type LanguageTag = (typeof LANGUAGES)[number]["tag"];

/** English text → its translation; `{name}` marks a value put in by {@link translate}. */
export type Catalogue = Readonly<Record<string, string>>;

/** Each catalogue is its own chunk, loaded when its language is chosen: English pages load none. */
const CATALOGUES: Record<Exclude<LanguageTag, "en">, () => Promise<{ default: Catalogue }>> = {
  de: () => import("./catalogues/de.ts"),
  fr: () => import("./catalogues/fr.ts"),
  es: () => import("./catalogues/es.ts"),
};

export type Translate = (text: string, values?: Readonly<Record<string, string | number>>) => string;

interface Current {
  language: LanguageTag;
  catalogue: Catalogue;
  translate: Translate;
}

function makeTranslate(catalogue: Catalogue): Translate {
  return (text, values) => {
    const template = catalogue[text] || text;
    return values ? template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole)) : template;
  };
}

let current: Current = { language: "en", catalogue: {}, translate: makeTranslate({}) };
const listeners = new Set<() => void>();
let latestRequest = 0;

/** Whether `tag` is one of {@link LANGUAGES}. */
export function isLanguageTag(tag: unknown): tag is LanguageTag {
  return LANGUAGES.some((language) => language.tag === tag);
}

/** The language the interface shows now. */
export function interfaceLanguage(): LanguageTag {
  return current.language;
}

/**
 * Shows the interface in `tag` (loading its catalogue first); an unknown tag means English.
 * When several calls overlap, the last one wins.
 */
export async function setInterfaceLanguage(tag: string): Promise<void> {
  const language: LanguageTag = isLanguageTag(tag) ? tag : "en";
  const request = ++latestRequest;
  const catalogue = language === "en" ? {} : (await CATALOGUES[language]()).default;
  if (request !== latestRequest || language === current.language) return;
  current = { language, catalogue, translate: makeTranslate(catalogue) };
  for (const listener of listeners) listener();
}

/**
 * `text` in the interface's language, with `{name}` replaced by `values.name`. For code outside
 * React components; components use {@link useTranslate}, which also redraws them on a change.
 *
 * @example
 * translate("Delete “{title}”?", { title: "Garden plans" }); // "„Garden plans“ löschen?" in German
 */
export const translate: Translate = (text, values) => current.translate(text, values);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The translate function of the interface's language; the component redraws when it changes. */
export function useTranslate(): Translate {
  return useSyncExternalStore(subscribe, () => current.translate);
}

/** The interface's language as a BCP 47 tag, for `Intl` formats; redraws on a change. */
export function useInterfaceLanguage(): LanguageTag {
  return useSyncExternalStore(subscribe, () => current.language);
}
