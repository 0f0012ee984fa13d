import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "../../api/api-error.ts";
import { useAuth } from "../../auth/auth-context.tsx";
import { usePageTitle } from "../../app/page-title.tsx";
import { Link, navigate, useLeaveGuard } from "../../app/router.tsx";
import { Spinner } from "../../ui/spinner.tsx";
import { useToaster } from "../../ui/toasts.tsx";
import { derivePluginId, isValidPluginId } from "../derive-plugin-id.ts";
import { kindOf, pluginApi, type AccessControl, type PluginKind, type PluginSection, type PluginRow } from "../plugin-api.ts";
import { parseFrontmatter } from "@sluice/sdk/wire";
import { takePluginDraft } from "../plugin-draft-store.ts";
import { ValvesDialog } from "../valves-form/valves-dialog.tsx";
import { VersionHistoryDialog } from "../plugin-history/version-history-dialog.tsx";
import { ApprovePermissionsBar } from "./approve-permissions-bar.tsx";
import { CodeEditor, type CodeEditorHandle } from "./code-editor.tsx";
import { parseLoadError, type SourceLocation } from "./parse-load-error.ts";
import { PLUGIN_TEMPLATES } from "./plugin-templates.ts";
import "../workspace.css";

export interface PluginEditorPageProps {
  namespace: PluginSection;
  /** The plugin to edit; undefined for a new one. */
  id?: string;
  /** For a new plugin: the template to start from. */
  kind?: PluginKind;
  /** For a new plugin: open the draft left by an import (a file or a URL). */
  isDraft?: boolean;
}

interface FormState {
  id: string;
  name: string;
  description: string;
  content: string;
  accessControl: AccessControl;
}

type SaveError = { message: string; location?: SourceLocation; field?: "id" | "name" };

const KIND_NAMES: Record<PluginKind, string> = { pipe: "pipe", filter: "filter", action: "action", tools: "tool", events: "event plugin" };

function initialForm(namespace: PluginSection, kind: PluginKind | undefined, isDraft: boolean): FormState {
  const draft = isDraft ? takePluginDraft() : null;
  if (draft) return { id: draft.id, name: draft.name, description: draft.description ?? "", content: draft.content, accessControl: {} };
  const content = PLUGIN_TEMPLATES[kind ?? (namespace === "tools" ? "tools" : "filter")];
  return { id: "", name: "", description: "", content, accessControl: {} };
}

/**
 * Creates or edits a plugin: name, id and description, and the code in Monaco with the SDK's
 * types. Saving sends the code to the server, which compiles and loads it; a refusal shows the
 * server's error, marks its line, and keeps the text as it is.
 */
export function PluginEditorPage({ namespace, id, kind, isDraft = false }: PluginEditorPageProps) {
  const { user } = useAuth();
  const toaster = useToaster();
  const formId = useId();
  const isNew = id === undefined;
  const [row, setRow] = useState<PluginRow | null>(null);
  const [loadState, setLoadState] = useState<"loading" | "ready" | { failed: string }>(isNew ? "ready" : "loading");
  const [form, setForm] = useState<FormState>(() => initialForm(namespace, kind, isDraft));
  const [savedContent, setSavedContent] = useState<string | null>(isNew ? null : form.content);
  const [isIdEdited, setIsIdEdited] = useState(isDraft);
  const [isSaving, setIsSaving] = useState(false);
  const [saveError, setSaveError] = useState<SaveError | null>(null);
  const [valvesDialog, setValvesDialog] = useState<"admin" | "user" | null>(null);
  const [saveMessage, setSaveMessage] = useState("");
  const [isHistoryOpen, setIsHistoryOpen] = useState(false);
  // A restore replaces the code: the editor is made again with it.
  const [editorKey, setEditorKey] = useState(0);
  const editor = useRef<CodeEditorHandle>(null);
  const serverErrors = useMemo(() => (saveError?.location ? [saveError.location] : []), [saveError]);

  usePageTitle(isNew ? `New ${KIND_NAMES[kind ?? (namespace === "tools" ? "tools" : "filter")]}` : (row?.name ?? null));

  useEffect(() => {
    if (isNew) return;
    let isCurrent = true;
    setLoadState("loading");
    pluginApi.get(namespace, id).then(
      (loaded) => {
        if (!isCurrent) return;
        setRow(loaded);
        setForm({
          id: loaded.id,
          name: loaded.name,
          description: loaded.meta?.description ?? "",
          content: loaded.content ?? "",
          accessControl: loaded.access_control ?? null,
        });
        setSavedContent(loaded.content ?? "");
        setLoadState("ready");
      },
      (error: unknown) => isCurrent && setLoadState({ failed: errorMessage(error) }),
    );
    return () => {
      isCurrent = false;
    };
  }, [namespace, id, isNew]);

  const isDirty =
    savedContent === null
      ? true
      : form.content !== savedContent || form.name !== row?.name || form.description !== (row?.meta?.description ?? "");
  const [startingForm] = useState(form);
  const hasUnsavedWork = isNew
    ? form.content !== startingForm.content || form.name !== startingForm.name || form.description !== startingForm.description || isDraft
    : isDirty;
  useLeaveGuard(hasUnsavedWork && loadState === "ready" ? "Leave without saving? Your changes to this plugin will be lost." : null);

  const canWrite = namespace === "functions" ? user?.role === "admin" : isNew || row?.write_access !== false;

  const setName = (name: string) =>
    setForm((current) => ({ ...current, name, id: isNew && !isIdEdited ? derivePluginId(name) : current.id }));

  const save = useCallback(async () => {
    if (isSaving) return;
    setSaveError(null);
    const name = form.name.trim() || parseFrontmatter(form.content).title || "";
    if (!name) {
      setSaveError({ message: "Give the plugin a name", field: "name" });
      return;
    }
    const pluginId = isNew ? form.id || derivePluginId(name) : form.id;
    if (isNew && !isValidPluginId(pluginId)) {
      setSaveError({ message: "The id may hold lower-case letters, digits and _ (64 at most)", field: "id" });
      return;
    }
    setIsSaving(true);
    try {
      const meta = { description: form.description.trim() };
      const message = saveMessage.trim() ? { message: saveMessage.trim() } : {};
      const saved = isNew
        ? await pluginApi.create(namespace, {
            id: pluginId,
            name,
            content: form.content,
            meta,
            ...message,
            ...(namespace === "tools" ? { access_control: form.accessControl } : {}),
          })
        : await pluginApi.update(namespace, pluginId, { name, content: form.content, meta, ...message });
      setSaveMessage("");
      setRow(saved);
      setSavedContent(form.content);
      setForm((current) => ({ ...current, name: saved.name, id: saved.id }));
      toaster.show({
        type: "success",
        content: `Saved ${saved.name}${isNew && namespace === "functions" ? ". Switch it on in the list to use it." : ""}`,
      });
      if (isNew) navigate(`/workspace/${namespace}/${encodeURIComponent(saved.id)}`, { replace: true, isLeaveConfirmed: true });
    } catch (error) {
      const message = errorMessage(error);
      const field = ApiError.isInstance(error) && error.code === "ALREADY_EXISTS" ? "id" : undefined;
      const isLoadError = ApiError.isInstance(error) && error.status === 400 && field === undefined;
      setSaveError({ message, location: isLoadError ? parseLoadError(message) : undefined, field });
    } finally {
      setIsSaving(false);
    }
  }, [form, isNew, isSaving, namespace, saveMessage, toaster]);

  const showRestored = (restored: PluginRow) => {
    setRow(restored);
    setForm((current) => ({
      ...current,
      name: restored.name,
      description: restored.meta?.description ?? "",
      content: restored.content ?? "",
    }));
    setSavedContent(restored.content ?? "");
    setSaveError(null);
    setEditorKey((key) => key + 1);
    toaster.show({ type: "success", content: `Restored ${restored.name}: the old code is saved as a new version and loaded` });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save();
  };

  if (loadState === "loading") {
    return (
      <div className="loading-state">
        <Spinner label="Loading the plugin" /> Loading…
      </div>
    );
  }
  if (typeof loadState === "object") {
    return (
      <div className="empty-state">
        <h2>Could not open this plugin</h2>
        <p>{loadState.failed}</p>
        <Link to={`/workspace/${namespace}`}>Back to the {namespace}</Link>
      </div>
    );
  }

  const rowKind = row ? kindOf(namespace, row) : kind;
  return (
    <form id={formId} className="plugin-editor" onSubmit={submit} noValidate>
      <div className="editor-toolbar">
        <Link to={`/workspace/${namespace}`} className="button button-quiet button-small">
          ← {namespace === "functions" ? "Functions" : "Tools"}
        </Link>
        {rowKind && <span className={`badge kind-badge kind-${rowKind}`}>{rowKind}</span>}
        {row?.meta?.manifest?.version && <span className="small muted">v{row.meta.manifest.version}</span>}
        <span className="editor-status small muted" role="status">
          {isDirty ? "Unsaved changes" : "Saved"}
        </span>
        <div className="button-row editor-actions">
          {!isNew && row && canWrite && (
            <button type="button" className="button" onClick={() => setValvesDialog("admin")}>
              Valves
            </button>
          )}
          {!isNew && row && (
            <button type="button" className="button" onClick={() => setIsHistoryOpen(true)}>
              History
            </button>
          )}
          {!isNew && row && (row.meta?.has_user_valves || row.has_user_valves) && (
            <button type="button" className="button" onClick={() => setValvesDialog("user")}>
              My settings
            </button>
          )}
          {canWrite && (
            <input
              className="input input-small save-message"
              value={saveMessage}
              onChange={(event) => setSaveMessage(event.target.value)}
              placeholder="What changed (optional)"
              aria-label="Save message (optional)"
              maxLength={500}
            />
          )}
          {canWrite && (
            <button type="submit" className="button button-primary" disabled={isSaving} aria-keyshortcuts="Control+S">
              {isSaving ? "Saving…" : "Save"}
            </button>
          )}
        </div>
      </div>

      <div className="editor-fields">
        <div className="field">
          <label className="field-label" htmlFor={`${formId}-name`}>
            Name
          </label>
          <input
            id={`${formId}-name`}
            value={form.name}
            placeholder={parseFrontmatter(form.content).title || "My plugin"}
            onChange={(event) => setName(event.target.value)}
            aria-invalid={saveError?.field === "name" || undefined}
            readOnly={!canWrite}
          />
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${formId}-id`}>
            ID
          </label>
          <input
            id={`${formId}-id`}
            value={form.id}
            placeholder={derivePluginId(form.name || parseFrontmatter(form.content).title || "") || "my_plugin"}
            readOnly={!isNew}
            spellCheck={false}
            autoCapitalize="off"
            onChange={(event) => {
              setIsIdEdited(true);
              setForm((current) => ({ ...current, id: event.target.value }));
            }}
            aria-invalid={saveError?.field === "id" || undefined}
            aria-describedby={`${formId}-id-hint`}
          />
          <span id={`${formId}-id-hint`} className="field-hint">
            {isNew ? "Lower-case letters, digits and _; it cannot change later." : "The id cannot change."}
          </span>
        </div>
        <div className="field editor-description">
          <label className="field-label" htmlFor={`${formId}-description`}>
            Description
          </label>
          <input
            id={`${formId}-description`}
            value={form.description}
            placeholder={parseFrontmatter(form.content).description || "What it does"}
            onChange={(event) => setForm((current) => ({ ...current, description: event.target.value }))}
            readOnly={!canWrite}
          />
        </div>
        {isNew && namespace === "tools" && (
          <div className="field">
            <label className="field-label" htmlFor={`${formId}-access`}>
              Access
            </label>
            <select
              id={`${formId}-access`}
              className="input"
              value={form.accessControl === null ? "public" : "private"}
              onChange={(event) => setForm((current) => ({ ...current, accessControl: event.target.value === "public" ? null : {} }))}
            >
              <option value="private">Private: me and admins</option>
              <option value="public">Public: every user</option>
            </select>
          </div>
        )}
      </div>

      {saveError && (
        <div className="form-error save-error" role="alert">
          <strong>{saveError.location ? "The server refused the code. " : "Not saved. "}</strong>
          {saveError.message}
          {saveError.location && (
            <>
              {" "}
              <button
                type="button"
                className="link-button"
                onClick={() => editor.current?.revealPosition(saveError.location!.line, saveError.location!.column)}
              >
                Go to line {saveError.location.line}
              </button>
            </>
          )}
        </div>
      )}
      {row && user?.role === "admin" && <ApprovePermissionsBar namespace={namespace} row={row} isDirty={isDirty} onApproved={setRow} />}
      {!saveError && row?.load_error && (
        <div className="form-error" role="note">
          <strong>The stored code does not load: </strong>
          {row.load_error}
        </div>
      )}

      <CodeEditor
        key={editorKey}
        ref={editor}
        label={`Code of ${form.name || "the plugin"}`}
        initialValue={form.content}
        onChange={(content) => setForm((current) => (current.content === content ? current : { ...current, content }))}
        serverErrors={serverErrors}
        isReadOnly={!canWrite}
        onSave={canWrite ? () => void save() : undefined}
      />
      <p className="editor-help small muted">
        Ctrl+S saves, Ctrl+Space completes, hovering shows types. Tab indents; press Ctrl+M to make Tab move the focus instead. The plugin
        guide is docs/plugins.md in the Sluice repository.
      </p>

      {isHistoryOpen && row && (
        <VersionHistoryDialog
          namespace={namespace}
          row={row}
          canRestore={canWrite}
          isDirty={isDirty}
          onRestored={showRestored}
          onClose={() => setIsHistoryOpen(false)}
        />
      )}
      {valvesDialog && row && (
        <ValvesDialog namespace={namespace} plugin={row} isUser={valvesDialog === "user"} onClose={() => setValvesDialog(null)} />
      )}
    </form>
  );
}
