import { useEffect, useState } from "react";
import { api } from "../api/api-client.ts";
import { errorMessage } from "../api/api-error.ts";
import { Modal } from "../ui/modal.tsx";
import { Spinner } from "../ui/spinner.tsx";
import { ValvesDialog } from "../workspace/valves-form/valves-dialog.tsx";
import type { ChatModel } from "./chat-types.ts";
import { translate } from "../i18n/i18n.ts";

interface PluginSummary {
  id: string;
  name: string;
  type?: string;
  is_active: boolean;
  is_global?: boolean;
  meta?: { description?: string; has_user_valves?: boolean };
}

export interface SettingsPlugin {
  namespace: "functions" | "tools";
  id: string;
  name: string;
  kind: string;
  description?: string;
}

/**
 * The plugins a chat with `model` runs that have user valves: its pipe, the global and attached
 * filters and actions, and its tools.
 */
export function pluginsWithUserValves(model: ChatModel, functions: PluginSummary[], tools: PluginSummary[]): SettingsPlugin[] {
  const meta = model.info?.meta ?? {};
  const attached = new Set([...(meta.filterIds ?? []), ...(meta.actionIds ?? [])]);
  const toolIds = new Set(meta.toolIds ?? []);
  const pipeId = model.pipe ? model.id.split(".")[0] : undefined;
  const chosen: SettingsPlugin[] = [];
  for (const plugin of functions) {
    if (!plugin.is_active || !plugin.meta?.has_user_valves) continue;
    const isUsed = plugin.type === "pipe" ? plugin.id === pipeId : plugin.is_global === true || attached.has(plugin.id);
    if (isUsed)
      chosen.push({
        namespace: "functions",
        id: plugin.id,
        name: plugin.name,
        kind: plugin.type ?? "function",
        description: plugin.meta.description,
      });
  }
  for (const plugin of tools) {
    if (plugin.is_active !== false && plugin.meta?.has_user_valves && toolIds.has(plugin.id)) {
      chosen.push({ namespace: "tools", id: plugin.id, name: plugin.name, kind: "tools", description: plugin.meta.description });
    }
  }
  return chosen;
}

type Loaded = { state: "loading" } | { state: "failed"; message: string } | { state: "ready"; plugins: SettingsPlugin[] };

/** Lists the model's plugins that have settings for the user; choosing one opens its user valves form. */
export function PluginSettingsDialog({ model, onClose }: { model: ChatModel; onClose(): void }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const [opened, setOpened] = useState<SettingsPlugin | null>(null);

  useEffect(() => {
    let isCurrent = true;
    Promise.all([api.get<PluginSummary[]>("/api/v1/functions/"), api.get<PluginSummary[]>("/api/v1/tools/").catch(() => [])])
      .then(([functions, tools]) => isCurrent && setLoaded({ state: "ready", plugins: pluginsWithUserValves(model, functions, tools) }))
      .catch((error: unknown) => isCurrent && setLoaded({ state: "failed", message: errorMessage(error) }));
    return () => {
      isCurrent = false;
    };
  }, [model]);

  if (opened) return <ValvesDialog namespace={opened.namespace} plugin={opened} isUser onClose={() => setOpened(null)} />;
  return (
    <Modal title={translate("Plugin settings for {model}", { model: model.name })} onClose={onClose}>
      {loaded.state === "loading" && (
        <p>
          <Spinner label={translate("Loading plugins")} /> {translate("Loading…")}
        </p>
      )}
      {loaded.state === "failed" && (
        <p className="form-error" role="alert">
          {loaded.message}
        </p>
      )}
      {loaded.state === "ready" && loaded.plugins.length === 0 && (
        <p className="muted">{translate("No plugin of this model has settings of yours.")}</p>
      )}
      {loaded.state === "ready" && loaded.plugins.length > 0 && (
        <ul className="plugin-settings-list">
          {loaded.plugins.map((plugin) => (
            <li key={`${plugin.namespace}:${plugin.id}`}>
              <button type="button" className="plugin-settings-item" onClick={() => setOpened(plugin)}>
                <span className="plugin-settings-name">{plugin.name}</span>
                <span className="badge">{plugin.kind}</span>
                {plugin.description && <span className="muted small plugin-settings-description">{plugin.description}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Modal>
  );
}
