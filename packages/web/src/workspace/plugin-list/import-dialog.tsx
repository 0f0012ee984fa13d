import { useId, useState, type FormEvent } from "react";
import { errorMessage } from "../../api/api-error.ts";
import { navigate } from "../../app/router.tsx";
import { Modal } from "../../ui/modal.tsx";
import { useToaster } from "../../ui/toasts.tsx";
import { derivePluginId } from "../derive-plugin-id.ts";
import { namespaceOf, pluginApi, type PluginSection } from "../plugin-api.ts";
import { storePluginDraft } from "../plugin-draft-store.ts";
import { guessPluginKind, parseFrontmatter } from "@sluice/sdk/wire";

export interface ImportDialogProps {
  namespace: PluginSection;
  onClose(): void;
  /** After a JSON import stored plugins. */
  onImported(): void;
}

type Source = "json" | "file" | "url";

/** The plugins in an export: a bare list or `{functions: [...]}` / `{tools: [...]}`. */
export function readExport(text: string, namespace: PluginSection): { rows: unknown[] } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { error: `Not valid JSON: ${(error as Error).message}` };
  }
  const rows = Array.isArray(parsed) ? parsed : (parsed as Record<string, unknown> | null)?.[namespace];
  if (!Array.isArray(rows)) return { error: `Expected a list of ${namespace} (an export) or {"${namespace}": [...]}` };
  if (rows.length === 0) return { error: "The export holds no plugins" };
  return { rows };
}

/** Opens the editor on code from a file or URL, in the namespace its kind belongs to. */
function openDraft(namespace: PluginSection, content: string, fallbackName: string): void {
  const frontmatter = parseFrontmatter(content);
  const name = frontmatter.title || fallbackName.replace(/\.[cm]?[jt]s$/i, "");
  const kind = guessPluginKind(content);
  const target = kind ? namespaceOf(kind) : namespace;
  storePluginDraft({ name, id: derivePluginId(name), content, description: frontmatter.description });
  navigate(`/workspace/${target}/new?draft${kind ? `&kind=${kind}` : ""}`);
}

/**
 * Imports plugins: a JSON export (pasted or from a file) is stored at once with `POST /import`;
 * a single `.ts`/`.js` file or a URL (`POST /load/url`) opens in the editor to review and save.
 */
export function ImportDialog({ namespace, onClose, onImported }: ImportDialogProps) {
  const toaster = useToaster();
  const formId = useId();
  const [source, setSource] = useState<Source>("json");
  const [jsonText, setJsonText] = useState("");
  const [url, setUrl] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [isWorking, setIsWorking] = useState(false);

  const readFile = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    const text = await file.text();
    if (source === "json") setJsonText(text);
    else openDraft(namespace, text, file.name);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setIsWorking(true);
    try {
      if (source === "json") {
        const result = readExport(jsonText, namespace);
        if ("error" in result) {
          setError(result.error);
          return;
        }
        const stored = await pluginApi.importAll(namespace, result.rows);
        toaster.show({ type: "success", content: `Imported ${stored.length} ${stored.length === 1 ? "plugin" : "plugins"}` });
        onImported();
        onClose();
      } else if (source === "url") {
        if (!url.trim()) {
          setError("Enter the address of a plugin file");
          return;
        }
        const loaded = await pluginApi.loadUrl(namespace, url.trim());
        openDraft(namespace, loaded.content, loaded.name || url.trim().split("/").pop() || "imported");
      }
    } catch (thrown) {
      setError(errorMessage(thrown));
    } finally {
      setIsWorking(false);
    }
  };

  const sources: [Source, string][] = [
    ["json", "JSON export"],
    ["file", "A .ts file"],
    ["url", "From a URL"],
  ];
  return (
    <Modal
      title={`Import ${namespace}`}
      onClose={onClose}
      size="wide"
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          {source !== "file" && (
            <button type="submit" form={formId} className="button button-primary" disabled={isWorking}>
              {isWorking ? "Working…" : source === "json" ? "Import" : "Load"}
            </button>
          )}
        </>
      }
    >
      <form id={formId} className="form" onSubmit={submit} noValidate>
        <div className="segmented" role="radiogroup" aria-label="Import from">
          {sources.map(([value, label]) => (
            <label key={value} className={`segment${source === value ? " is-selected" : ""}`}>
              <input
                type="radio"
                name={`${formId}-source`}
                value={value}
                checked={source === value}
                onChange={() => {
                  setSource(value);
                  setError(null);
                }}
              />
              {label}
            </label>
          ))}
        </div>
        {source === "json" && (
          <>
            <div className="field">
              <label className="field-label" htmlFor={`${formId}-json`}>
                Exported JSON
              </label>
              <textarea
                id={`${formId}-json`}
                className="code-textarea"
                rows={8}
                spellCheck={false}
                placeholder={`[{"id": "…", "name": "…", "content": "…"}]`}
                value={jsonText}
                onChange={(event) => setJsonText(event.target.value)}
              />
              <span className="field-hint">
                What Export downloads from Sluice or Open WebUI. Open WebUI's Python plugins are refused until Sluice runs Python;
                TypeScript and JavaScript ones load. Plugins with an existing id are updated; all load first, or none is stored.
              </span>
            </div>
            <div className="field">
              <label className="field-label" htmlFor={`${formId}-json-file`}>
                Or choose a .json file
              </label>
              <input
                id={`${formId}-json-file`}
                type="file"
                accept=".json,application/json"
                onChange={(event) => readFile(event.target.files?.[0])}
              />
            </div>
          </>
        )}
        {source === "file" && (
          <div className="field">
            <label className="field-label" htmlFor={`${formId}-code-file`}>
              Plugin file
            </label>
            <input
              id={`${formId}-code-file`}
              type="file"
              accept=".ts,.js,.mts,.mjs,text/typescript,text/javascript"
              onChange={(event) => readFile(event.target.files?.[0])}
            />
            <span className="field-hint">The file opens in the editor; review it, then save.</span>
          </div>
        )}
        {source === "url" && (
          <div className="field">
            <label className="field-label" htmlFor={`${formId}-url`}>
              Address
            </label>
            <input
              id={`${formId}-url`}
              type="url"
              inputMode="url"
              placeholder="https://github.com/owner/repo/blob/main/plugin.ts"
              value={url}
              onChange={(event) => setUrl(event.target.value)}
            />
            <span className="field-hint">
              A raw file, or a GitHub file or folder link. The code opens in the editor; nothing is saved yet.
            </span>
          </div>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Modal>
  );
}
