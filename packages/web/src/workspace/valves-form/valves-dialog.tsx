import { useEffect, useState } from "react";
import { errorMessage } from "../../api/api-error.ts";
import { Modal } from "../../ui/modal.tsx";
import { useToaster } from "../../ui/toasts.tsx";
import { pluginApi, type PluginSection } from "../plugin-api.ts";
import type { JsonSchemaNode } from "./describe-valve-fields.ts";
import { ValvesForm } from "./valves-form.tsx";

export interface ValvesDialogProps {
  namespace: PluginSection;
  plugin: { id: string; name: string };
  /** The caller's own user valves instead of the admin valves. */
  isUser?: boolean;
  onClose(): void;
}

type Loaded =
  | { state: "loading" }
  | { state: "failed"; message: string }
  | { state: "ready"; schema: JsonSchemaNode | null; values: Record<string, unknown> };

/**
 * The admin valves (or the caller's user valves) of one plugin in a dialog: loads the JSON
 * Schema and the stored values, then shows a {@link ValvesForm}.
 *
 * @example
 * {open && <ValvesDialog namespace="functions" plugin={row} isUser onClose={() => setOpen(false)} />}
 */
export function ValvesDialog({ namespace, plugin, isUser = false, onClose }: ValvesDialogProps) {
  const toaster = useToaster();
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });

  useEffect(() => {
    let isCurrent = true;
    Promise.all([pluginApi.valvesSpec(namespace, plugin.id, isUser), pluginApi.valves(namespace, plugin.id, isUser)])
      .then(([schema, values]) => isCurrent && setLoaded({ state: "ready", schema, values: values ?? {} }))
      .catch((error: unknown) => isCurrent && setLoaded({ state: "failed", message: errorMessage(error) }));
    return () => {
      isCurrent = false;
    };
  }, [namespace, plugin.id, isUser]);

  const title = `${plugin.name}: ${isUser ? "my settings" : "valves"}`;
  return (
    <Modal title={title} onClose={onClose} size="wide">
      {loaded.state === "loading" && (
        <p className="loading-state" role="status">
          Loading settings…
        </p>
      )}
      {loaded.state === "failed" && (
        <p className="form-error" role="alert">
          {loaded.message}
        </p>
      )}
      {loaded.state === "ready" && loaded.schema === null && (
        <p className="empty-state">{isUser ? "This plugin has no user settings." : "This plugin has no valves."}</p>
      )}
      {loaded.state === "ready" && loaded.schema !== null && (
        <ValvesForm
          schema={loaded.schema}
          values={loaded.values}
          onCancel={onClose}
          onSave={async (values) => {
            await pluginApi.updateValves(namespace, plugin.id, isUser, values);
            toaster.show({ type: "success", content: `Saved the ${isUser ? "settings" : "valves"} of ${plugin.name}` });
            onClose();
          }}
        />
      )}
    </Modal>
  );
}
