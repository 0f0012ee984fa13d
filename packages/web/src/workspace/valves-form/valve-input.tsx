import { useState } from "react";
import type { ValveField } from "./describe-valve-fields.ts";
import { optionKey, type ValveDraft } from "./valve-draft.ts";

export interface ValveInputProps {
  field: ValveField;
  draft: ValveDraft;
  /** The input's id (labels point at it). */
  inputId: string;
  /** Ids of the description and error, for `aria-describedby`. */
  describedBy?: string;
  isInvalid: boolean;
  onInput(input: ValveDraft["input"]): void;
}

/** The input for one valve: a text box, number box, switch, select, checkboxes or text area by its kind. */
export function ValveInput({ field, draft, inputId, describedBy, isInvalid, onInput }: ValveInputProps) {
  const [isRevealed, setIsRevealed] = useState(false);
  const common = {
    id: inputId,
    "aria-describedby": describedBy,
    "aria-invalid": isInvalid || undefined,
    "aria-required": field.isRequired || undefined,
  };
  const text = typeof draft.input === "string" ? draft.input : "";

  switch (field.kind) {
    case "boolean":
      return (
        <span className="switch">
          <input
            {...common}
            type="checkbox"
            role="switch"
            checked={draft.input === true}
            onChange={(event) => onInput(event.target.checked)}
          />
        </span>
      );
    case "select":
      return (
        <select {...common} className="input" value={text} onChange={(event) => onInput(event.target.value)}>
          {text === "" && <option value="">Choose…</option>}
          {field.options.map((option) => (
            <option key={optionKey(option.value)} value={optionKey(option.value)}>
              {option.label}
            </option>
          ))}
        </select>
      );
    case "multiselect": {
      const chosen = Array.isArray(draft.input) ? draft.input : [];
      return (
        <div className="valve-choices" id={inputId} aria-describedby={describedBy}>
          {field.options.map((option) => {
            const key = optionKey(option.value);
            return (
              <label key={key} className="valve-choice">
                <input
                  type="checkbox"
                  checked={chosen.includes(key)}
                  onChange={(event) => onInput(event.target.checked ? [...chosen, key] : chosen.filter((item) => item !== key))}
                />
                {option.label}
              </label>
            );
          })}
        </div>
      );
    }
    case "textarea":
    case "list":
    case "json":
      return (
        <textarea
          {...common}
          rows={field.kind === "textarea" ? 5 : 4}
          spellCheck={field.kind === "textarea"}
          className={field.kind === "json" ? "input valve-code" : "input"}
          placeholder={field.kind === "list" ? "One per line" : undefined}
          value={text}
          onChange={(event) => onInput(event.target.value)}
        />
      );
    case "password":
      return (
        <span className="valve-secret">
          <input
            {...common}
            className="input"
            type={isRevealed ? "text" : "password"}
            autoComplete="new-password"
            spellCheck={false}
            value={text}
            onChange={(event) => onInput(event.target.value)}
          />
          <button type="button" className="button button-small" aria-pressed={isRevealed} onClick={() => setIsRevealed(!isRevealed)}>
            {isRevealed ? "Hide" : "Show"}
          </button>
        </span>
      );
    case "number":
    case "integer":
      return (
        <input
          {...common}
          className="input"
          type="text"
          inputMode={field.kind === "integer" ? "numeric" : "decimal"}
          value={text}
          onChange={(event) => onInput(event.target.value)}
        />
      );
    default:
      return <input {...common} className="input" type="text" value={text} onChange={(event) => onInput(event.target.value)} />;
  }
}
