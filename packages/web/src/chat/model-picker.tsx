import { useTranslate } from "../i18n/i18n.ts";
import type { ChatModel } from "./chat-types.ts";

export interface ModelPickerProps {
  models: ChatModel[];
  value: string | null;
  onChange(id: string): void;
  isDisabled?: boolean;
}

/** A custom model of the workspace (a preset): a base model with its own name, system prompt and parameters. */
export function isPreset(model: ChatModel): boolean {
  return typeof model.info?.base_model_id === "string" && model.info.base_model_id !== "";
}

/**
 * Chooses the model to chat with, by name: upstream models, presets (custom models of the
 * workspace, whose system prompt and parameters the server applies) and pipes, each in its
 * group when there is more than one kind.
 */
export function ModelPicker({ models, value, onChange, isDisabled }: ModelPickerProps) {
  const t = useTranslate();
  const groups = [
    { label: "Models", models: models.filter((model) => !model.pipe && !isPreset(model)) },
    { label: "Presets", models: models.filter((model) => !model.pipe && isPreset(model)) },
    { label: "Pipes", models: models.filter((model) => model.pipe) },
  ].filter((group) => group.models.length > 0);
  return (
    <div className="model-picker">
      <select
        className="input"
        aria-label={t("Model")}
        value={value ?? ""}
        onChange={(event) => onChange(event.target.value)}
        disabled={isDisabled || models.length === 0}
      >
        {value === null && <option value="">{t("Choose a model")}</option>}
        {value !== null && !models.some((model) => model.id === value) && (
          <option value={value}>{t("{model} (unavailable)", { model: value })}</option>
        )}
        {groups.length > 1
          ? groups.map((group) => (
              <optgroup key={group.label} label={t(group.label)}>
                {group.models.map(optionOf)}
              </optgroup>
            ))
          : models.map(optionOf)}
      </select>
    </div>
  );
}

function optionOf(model: ChatModel) {
  return (
    <option key={model.id} value={model.id}>
      {model.name || model.id}
    </option>
  );
}
