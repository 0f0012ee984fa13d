/** Code brought in from a file or a URL, waiting for the editor page to open it. */
export interface PluginDraft {
  name: string;
  id: string;
  content: string;
  description?: string;
}

let pending: PluginDraft | null = null;

/**
 * Hands a draft to the next "new plugin" editor page (which opens with `?draft`), without
 * putting the code in the URL.
 *
 * @example
 * storePluginDraft({ name, id, content });
 * navigate("/workspace/functions/new?draft");
 */
export function storePluginDraft(draft: PluginDraft): void {
  pending = draft;
}

/** The stored draft, once; null when there is none. */
export function takePluginDraft(): PluginDraft | null {
  const draft = pending;
  pending = null;
  return draft;
}
