import { useEffect, useImperativeHandle, useRef, useState, type Ref } from "react";
import type * as Monaco from "monaco-editor";
import { looksLikePython } from "@sluice/sdk/wire";
import { errorMessage } from "../../api/api-error.ts";
import { Spinner } from "../../ui/spinner.tsx";
import { loadMonaco } from "./load-monaco.ts";
import { PLUGIN_MODEL_URI } from "./editor-compiler-options.ts";
import type { SourceLocation } from "./parse-load-error.ts";

export interface CodeEditorProps {
  /**
   * The text the editor starts with. The editor owns the text afterwards (reported through
   * `onChange`): feeding each keystroke back as a prop would race with fast typing.
   */
  initialValue: string;
  onChange(value: string): void;
  /** Errors from the server (a refused save), marked on their lines until the next change. */
  serverErrors: SourceLocation[];
  /** Ctrl+S / Cmd+S. */
  onSave?(): void;
  label: string;
  /** Shows the code without letting it change (a tool the user may only use). */
  isReadOnly?: boolean;
  ref?: Ref<CodeEditorHandle>;
}

export interface CodeEditorHandle {
  /** Puts the cursor on a line (and column) and focuses the editor. */
  revealPosition(line: number, column?: number): void;
}

const SERVER_OWNER = "sluice-server";

type EditorLanguage = "typescript" | "python";

/** Python (an Open WebUI plugin) or TypeScript, recognised from the text as the server does. */
function languageOf(source: string): EditorLanguage {
  return looksLikePython(source) ? "python" : "typescript";
}

/**
 * Gives the model the language its text is written in. Only TypeScript models reach Monaco's
 * TypeScript service, so Python gets Python highlighting and no TypeScript errors or completions.
 */
function followLanguage(monaco: typeof Monaco, model: Monaco.editor.ITextModel): EditorLanguage {
  const language = languageOf(model.getValue());
  if (model.getLanguageId() !== language) {
    monaco.editor.setModelLanguage(model, language);
    // PEP 8 indents by four spaces; the TypeScript templates by two.
    model.updateOptions({ tabSize: language === "python" ? 4 : 2 });
  }
  return language;
}

/**
 * Monaco's TypeScript service may still be checking the text when it turns into Python (a paste
 * right after the editor opened); its late answer would mark Python as broken TypeScript. Such
 * markers are dropped as they arrive.
 */
function dropLateTypeScriptMarkers(monaco: typeof Monaco, model: Monaco.editor.ITextModel): Monaco.IDisposable {
  const key = model.uri.toString();
  return monaco.editor.onDidChangeMarkers((uris) => {
    if (model.isDisposed() || model.getLanguageId() === "typescript" || !uris.some((uri) => uri.toString() === key)) return;
    if (monaco.editor.getModelMarkers({ resource: model.uri, owner: "typescript" }).length > 0) {
      monaco.editor.setModelMarkers(model, "typescript", []);
    }
  });
}

/**
 * Monaco editing a plugin's TypeScript with the `@sluice/sdk` types: completions, hovers and type
 * errors while typing; or an Open WebUI Python plugin, highlighted as Python, when the text is
 * Python (pasted, imported or loaded). Falls back to a plain text area when Monaco cannot load.
 */
export function CodeEditor({ initialValue, onChange, serverErrors, onSave, label, isReadOnly = false, ref }: CodeEditorProps) {
  const container = useRef<HTMLDivElement>(null);
  const editorRef = useRef<Monaco.editor.IStandaloneCodeEditor | null>(null);
  const monacoRef = useRef<typeof Monaco | null>(null);
  const decorations = useRef<Monaco.editor.IEditorDecorationsCollection | null>(null);
  const [fallbackText, setFallbackText] = useState(initialValue);
  const callbacks = useRef({ onChange, onSave });
  callbacks.current = { onChange, onSave };
  const [state, setState] = useState<"loading" | "ready" | { failed: string }>("loading");
  const [language, setLanguage] = useState<EditorLanguage>(() => languageOf(initialValue));
  const fallback = useRef<HTMLTextAreaElement>(null);

  useImperativeHandle(ref, () => ({
    revealPosition(line, column = 1) {
      const editor = editorRef.current;
      if (!editor) {
        fallback.current?.focus();
        return;
      }
      editor.setPosition({ lineNumber: line, column });
      editor.revealLineInCenter(line);
      editor.focus();
    },
  }));

  useEffect(() => {
    let isMounted = true;
    let editor: Monaco.editor.IStandaloneCodeEditor | undefined;
    let markerGuard: Monaco.IDisposable | undefined;
    loadMonaco().then(
      (monaco) => {
        if (!isMounted || !container.current) return;
        const uri = monaco.Uri.parse(PLUGIN_MODEL_URI);
        monaco.editor.getModel(uri)?.dispose();
        const model = monaco.editor.createModel(initialValue, "typescript", uri);
        setLanguage(followLanguage(monaco, model));
        markerGuard = dropLateTypeScriptMarkers(monaco, model);
        editor = monaco.editor.create(container.current, {
          model,
          ariaLabel: label,
          automaticLayout: true,
          minimap: { enabled: false },
          fontSize: 14,
          tabSize: 2,
          scrollBeyondLastLine: false,
          fixedOverflowWidgets: true,
          renderLineHighlight: "line",
          glyphMargin: true,
          lineNumbersMinChars: 3,
          readOnly: isReadOnly,
          // The page's theme when the editor opens (ui/theme.ts sets it on <html>).
          theme: document.documentElement.dataset.resolvedTheme === "dark" ? "vs-dark" : "vs",
        });
        editor.onDidChangeModelContent(() => {
          setLanguage(followLanguage(monaco, model));
          callbacks.current.onChange(model.getValue());
        });
        editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => callbacks.current.onSave?.());
        monacoRef.current = monaco;
        editorRef.current = editor;
        decorations.current = editor.createDecorationsCollection();
        setState("ready");
      },
      (error: unknown) => isMounted && setState({ failed: errorMessage(error) }),
    );
    return () => {
      isMounted = false;
      markerGuard?.dispose();
      editor?.getModel()?.dispose();
      editor?.dispose();
      editorRef.current = null;
    };
    // The editor is made once, with the initial text.
  }, []);

  useEffect(() => {
    const monaco = monacoRef.current;
    const model = editorRef.current?.getModel();
    if (!monaco || !model) return;
    const lineCount = model.getLineCount();
    const markers = serverErrors.map((error) => {
      const line = Math.min(Math.max(error.line, 1), lineCount);
      const column = error.column ?? 1;
      const endColumn = error.column ? Math.max(column + 1, model.getLineMaxColumn(line)) : model.getLineMaxColumn(line);
      return {
        severity: monaco.MarkerSeverity.Error,
        message: error.message,
        startLineNumber: line,
        startColumn: column,
        endLineNumber: line,
        endColumn,
        source: "Sluice",
      };
    });
    monaco.editor.setModelMarkers(model, SERVER_OWNER, markers);
    decorations.current?.set(
      markers.map((marker) => ({
        range: new monaco.Range(marker.startLineNumber, 1, marker.startLineNumber, 1),
        options: {
          isWholeLine: true,
          className: "server-error-line",
          glyphMarginClassName: "server-error-glyph",
          glyphMarginHoverMessage: { value: marker.message },
        },
      })),
    );
    if (markers[0]) editorRef.current?.revealLineInCenterIfOutsideViewport(markers[0].startLineNumber);
  }, [serverErrors, state]);

  if (typeof state === "object") {
    return (
      <div className="code-editor-fallback">
        <p className="form-error" role="alert">
          The code editor did not load ({state.failed}); you can still edit the code as plain text.
        </p>
        <textarea
          ref={fallback}
          className="input code-textarea"
          aria-label={label}
          spellCheck={false}
          readOnly={isReadOnly}
          value={fallbackText}
          onChange={(event) => {
            setFallbackText(event.target.value);
            onChange(event.target.value);
          }}
        />
      </div>
    );
  }
  return (
    <div className="code-editor">
      {state === "loading" && (
        <div className="code-editor-loading">
          <Spinner label="Loading the code editor" /> Loading the code editor…
        </div>
      )}
      <div ref={container} className="code-editor-surface" data-testid="code-editor" data-language={language} />
    </div>
  );
}
