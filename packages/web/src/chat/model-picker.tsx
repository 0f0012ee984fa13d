import type { ChatModel } from "./chat-types.ts";

export interface ModelPickerProps {
  models: ChatModel[];
  value: string | null;
  onChange(id: string): void;
  isDisabled?: boolean;
}

/** Chooses the model to chat with: upstream models and pipes (marked), by name. */
export function ModelPicker({ models, value, onChange, isDisabled }: ModelPickerProps) {
  const upstream = models.filter((model) => !model.pipe);
  const pipes = models.filter((model) => model.pipe);
  return (
    <div className="model-picker">
      <select
        className="input"
        aria-label="Model"
        value={value ?? ""}
        onChange={(event) => onChange(event.target.value)}
        disabled={isDisabled || models.length === 0}
      >
        {value === null && <option value="">Choose a model</option>}
        {value !== null && !models.some((model) => model.id === value) && <option value={value}>{value} (unavailable)</option>}
        {upstream.length > 0 && pipes.length > 0 ? (
          <>
            <optgroup label="Models">{upstream.map(optionOf)}</optgroup>
            <optgroup label="Pipes">{pipes.map(optionOf)}</optgroup>
          </>
        ) : (
          models.map(optionOf)
        )}
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
