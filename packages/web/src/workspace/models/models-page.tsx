import { useCallback, useEffect, useState } from "react";
import { errorMessage } from "../../api/api-error.ts";
import { Spinner } from "../../ui/spinner.tsx";
import { useToaster } from "../../ui/toasts.tsx";
import { pluginApi, type PluginRow } from "../plugin-api.ts";
import type { AccessControl } from "@sluice/sdk/wire";
import { AccessDialog } from "../sharing/access-dialog.tsx";
import { describeAccess } from "../plugin-list/plugin-list-item.tsx";
import { modelApi, pluginIdsOf, saveModelAccess, type CatalogModel, type ModelRow } from "./model-api.ts";
import { isVisionCapable } from "./model-capabilities.ts";
import { ModelPluginsDialog } from "./model-plugins-dialog.tsx";
import { FilterOrder } from "./filter-order.tsx";
import "./filter-order.css";
import "../workspace.css";

interface Loaded {
  models: CatalogModel[];
  rows: ModelRow[];
  functions: PluginRow[];
  tools: PluginRow[];
}

function namesOf(ids: string[], plugins: PluginRow[]): string {
  return ids.map((id) => plugins.find((plugin) => plugin.id === id)?.name ?? id).join(", ");
}

const ACCESS_LABELS = { public: "Public", private: "Private", shared: "Shared" } as const;

/** Admins attach filters, actions and tools to each model (its settings row's `meta`). */
export function ModelsPage() {
  const toaster = useToaster();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<CatalogModel | null>(null);
  const [sharing, setSharing] = useState<CatalogModel | null>(null);

  const reload = useCallback(() => {
    setError(null);
    Promise.all([modelApi.catalog(), modelApi.rows(), pluginApi.list("functions"), pluginApi.list("tools")]).then(
      ([models, rows, functions, tools]) => setLoaded({ models, rows, functions, tools }),
      (thrown: unknown) => setError(errorMessage(thrown)),
    );
  }, []);
  useEffect(reload, [reload]);

  const rowOf = (id: string) => loaded?.rows.find((row) => row.id === id);

  return (
    <div className="workspace-page">
      <div className="page-header">
        <div>
          <h2>Models</h2>
          <p className="muted small page-lead">
            Attach filters, actions and tools to a model. Global filters and actions run for every model anyway.
          </p>
        </div>
      </div>
      {error && (
        <div className="form-error" role="alert">
          Could not load the models: {error}{" "}
          <button type="button" className="link-button" onClick={reload}>
            Try again
          </button>
        </div>
      )}
      {!loaded && !error && (
        <div className="loading-state">
          <Spinner label="Loading models" /> Loading models…
        </div>
      )}
      {loaded && loaded.models.length === 0 && (
        <div className="empty-state">
          <h2>No models yet</h2>
          <p>Connect an OpenAI-compatible server (OPENAI_API_BASE_URL) or create and switch on a pipe function.</p>
        </div>
      )}
      {loaded && loaded.models.length > 0 && (
        <ul className="plugin-list" aria-label="Models">
          {loaded.models.map((model) => {
            const ids = pluginIdsOf(rowOf(model.id));
            const summary = [
              ["Filters", namesOf(ids.filterIds, loaded.functions)],
              ["On by default", namesOf(ids.defaultFilterIds, loaded.functions)],
              ["Actions", namesOf(ids.actionIds, loaded.functions)],
              ["Tools", namesOf(ids.toolIds, loaded.tools)],
            ].filter(([, names]) => names);
            return (
              <li key={model.id} className="plugin-item">
                <div className="plugin-item-main">
                  <div className="plugin-item-title">
                    <span className="badge">
                      {model.pipe ? "pipe" : model.info?.base_model_id ? "custom" : model.owned_by || "upstream"}
                    </span>
                    <span className="plugin-name">{model.name}</span>
                    <code className="plugin-id">{model.id}</code>
                  </div>
                  {summary.length === 0 && <p className="small muted plugin-description">No plugins attached.</p>}
                  <dl className="model-summary small">
                    {summary.map(([label, names]) => (
                      <div key={label}>
                        <dt>{label}</dt>
                        <dd>{names}</dd>
                      </div>
                    ))}
                    {!isVisionCapable(rowOf(model.id)?.meta) && (
                      <div>
                        <dt>Vision</dt>
                        <dd>Off: the chat refuses images</dd>
                      </div>
                    )}
                    <div>
                      <dt>Filters run</dt>
                      <dd>
                        <FilterOrder modelId={model.id} revision={rowOf(model.id)} />
                      </dd>
                    </div>
                  </dl>
                </div>
                <div className="plugin-item-controls">
                  <span className="badge">
                    {ACCESS_LABELS[describeAccess(rowOf(model.id)?.access_control as AccessControl | undefined)]}
                  </span>
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => setSharing(model)}
                    aria-label={`Share ${model.name}`}
                  >
                    Share
                  </button>
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => setEditing(model)}
                    aria-label={`Attach plugins to ${model.name}`}
                  >
                    Attach plugins
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {sharing && loaded && (
        <AccessDialog
          subject={sharing.name}
          accessControl={(rowOf(sharing.id)?.access_control ?? null) as AccessControl}
          onSave={async (accessControl) => {
            const saved = await saveModelAccess(sharing, rowOf(sharing.id), accessControl);
            setLoaded((current) => current && { ...current, rows: [...current.rows.filter((row) => row.id !== saved.id), saved] });
            toaster.show({ type: "success", content: `Saved who may use ${sharing.name}` });
          }}
          onClose={() => setSharing(null)}
        />
      )}
      {editing && loaded && (
        <ModelPluginsDialog
          model={editing}
          row={rowOf(editing.id)}
          functions={loaded.functions}
          tools={loaded.tools}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setLoaded((current) => current && { ...current, rows: [...current.rows.filter((row) => row.id !== saved.id), saved] });
            toaster.show({ type: "success", content: `Saved the plugins of ${editing.name}` });
          }}
        />
      )}
    </div>
  );
}
