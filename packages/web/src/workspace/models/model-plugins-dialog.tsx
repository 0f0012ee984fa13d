import { useState } from "react";
import { errorMessage } from "../../api/api-error.ts";
import { Modal } from "../../ui/modal.tsx";
import type { PluginRow } from "../plugin-api.ts";
import { pluginIdsOf, saveModelMeta, type CatalogModel, type ModelPluginIds, type ModelRow } from "./model-api.ts";
import { capabilitiesWithVision, isVisionCapable } from "./model-capabilities.ts";

export interface ModelPluginsDialogProps {
  model: CatalogModel;
  row: ModelRow | undefined;
  functions: PluginRow[];
  tools: PluginRow[];
  onSaved(row: ModelRow): void;
  onClose(): void;
}

interface Group {
  key: keyof ModelPluginIds;
  title: string;
  hint: string;
  plugins: PluginRow[];
}

function PluginChecklist({ group, chosen, onChange }: { group: Group; chosen: string[]; onChange(ids: string[]): void }) {
  return (
    <fieldset className="checklist">
      <legend className="field-label">{group.title}</legend>
      <p className="field-hint">{group.hint}</p>
      {group.plugins.length === 0 ? (
        <p className="small muted">None available.</p>
      ) : (
        group.plugins.map((plugin) => (
          <label key={plugin.id} className="checklist-item">
            <input
              type="checkbox"
              checked={chosen.includes(plugin.id)}
              onChange={(event) => onChange(event.target.checked ? [...chosen, plugin.id] : chosen.filter((id) => id !== plugin.id))}
            />
            <span>
              {plugin.name} <code className="small muted">{plugin.id}</code>
              {!plugin.is_active && <span className="badge">off</span>}
              {plugin.is_global && <span className="badge badge-primary">global</span>}
            </span>
          </label>
        ))
      )}
    </fieldset>
  );
}

/**
 * Chooses the filters, default-on toggle filters, actions and tools of one model, and whether it
 * reads images (`meta.capabilities.vision`, on unless switched off).
 */
export function ModelPluginsDialog({ model, row, functions, tools, onSaved, onClose }: ModelPluginsDialogProps) {
  const [ids, setIds] = useState<ModelPluginIds>(() => pluginIdsOf(row));
  const [isVision, setIsVision] = useState(() => isVisionCapable(row?.meta));
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setIsSaving] = useState(false);
  const filters = functions.filter((plugin) => plugin.type === "filter");
  const toggleFilters = filters.filter((plugin) => plugin.meta?.toggle && (plugin.is_global || ids.filterIds.includes(plugin.id)));
  const groups: Group[] = [
    {
      key: "filterIds",
      title: "Filters",
      hint: "Run for this model, on top of the global filters. Toggle filters appear as switches in the chat.",
      plugins: filters,
    },
    {
      key: "defaultFilterIds",
      title: "Toggle filters switched on by default",
      hint: "Of the toggle filters this model has.",
      plugins: toggleFilters,
    },
    {
      key: "actionIds",
      title: "Actions",
      hint: "Buttons under this model's messages, besides the global actions.",
      plugins: functions.filter((plugin) => plugin.type === "action"),
    },
    { key: "toolIds", title: "Tools", hint: "Offered to this model in every chat.", plugins: tools },
  ];

  const save = async () => {
    setIsSaving(true);
    setError(null);
    try {
      // Default-on filters must be filters of the model.
      const defaults = ids.defaultFilterIds.filter((id) => toggleFilters.some((plugin) => plugin.id === id));
      const capabilities = capabilitiesWithVision(row?.meta, isVision);
      onSaved(await saveModelMeta(model, row, { ...ids, defaultFilterIds: defaults, capabilities }));
      onClose();
    } catch (thrown) {
      setError(errorMessage(thrown));
      setIsSaving(false);
    }
  };

  return (
    <Modal
      title={`Plugins of ${model.name}`}
      onClose={onClose}
      size="wide"
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button button-primary" onClick={save} disabled={isSaving}>
            {isSaving ? "Saving…" : "Save"}
          </button>
        </>
      }
    >
      <div className="checklists">
        <fieldset className="checklist">
          <legend className="field-label">Capabilities</legend>
          <p className="field-hint">Vision: the model reads images. When off, the chat refuses images for it.</p>
          <label className="checklist-item">
            <input type="checkbox" checked={isVision} onChange={(event) => setIsVision(event.target.checked)} />
            <span>Vision</span>
          </label>
        </fieldset>
        {groups.map((group) => (
          <PluginChecklist
            key={group.key}
            group={group}
            chosen={ids[group.key]}
            onChange={(chosen) => setIds((current) => ({ ...current, [group.key]: chosen }))}
          />
        ))}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Modal>
  );
}
