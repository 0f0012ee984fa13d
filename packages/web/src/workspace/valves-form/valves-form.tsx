import { useId, useMemo, useRef, useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "../../api/api-error.ts";
import { describeValveFields, type JsonSchemaNode, type ValveField } from "./describe-valve-fields.ts";
import { collectValves, createDraft, fieldErrorsFromBody, toDraftInput, type ValveDraft } from "./valve-draft.ts";
import { ValveInput } from "./valve-input.tsx";
import "../workspace.css";

export interface ValvesFormProps {
  /** The JSON Schema from `…/valves/spec` (or `…/valves/user/spec`). */
  schema: JsonSchemaNode;
  /** The stored values from `…/valves`: only the keys that were set. */
  values: Record<string, unknown>;
  /**
   * Sends the body of `…/valves/update` (null for fields left at their default). A thrown
   * {@link ApiError} with `errors: [{path, message}]` puts each message by its field.
   */
  onSave(values: Record<string, unknown>): Promise<unknown>;
  onCancel?(): void;
  saveLabel?: string;
}

function describeBounds(field: ValveField): string | undefined {
  const low = field.minimum ?? field.exclusiveMinimum;
  const high = field.maximum ?? field.exclusiveMaximum;
  if (low !== undefined && high !== undefined) return `${low} to ${high}`;
  if (low !== undefined) return field.exclusiveMinimum !== undefined ? `more than ${low}` : `at least ${low}`;
  if (high !== undefined) return field.exclusiveMaximum !== undefined ? `less than ${high}` : `at most ${high}`;
  return undefined;
}

function describeDefault(field: ValveField): string {
  const value = field.defaultValue;
  if (field.kind === "password") return value ? "Default: set" : "Default: empty";
  if (value === "" || value === undefined) return "Default: empty";
  if (Array.isArray(value) && value.length === 0) return "Default: none";
  const option = field.options.find((candidate) => JSON.stringify(candidate.value) === JSON.stringify(value));
  const text = option ? option.label : typeof value === "string" ? value : JSON.stringify(value);
  return `Default: ${text.length > 60 ? `${text.slice(0, 57)}…` : text}`;
}

/**
 * A form generated from a plugin's valves JSON Schema. Each field is "Default" (the plugin's
 * default; sent as null, so nothing is stored) until the user edits it or presses its
 * Default/Custom toggle. Values are checked before sending (numbers, bounds, lengths, required
 * fields), and the server's per-field errors are shown by their fields.
 *
 * @example
 * <ValvesForm schema={spec} values={stored} onSave={(body) => api.post(`/api/v1/functions/id/${id}/valves/update`, body)} />
 */
export function ValvesForm({ schema, values, onSave, onCancel, saveLabel = "Save" }: ValvesFormProps) {
  const formId = useId();
  const fields = useMemo(() => describeValveFields(schema), [schema]);
  const [drafts, setDrafts] = useState<Record<string, ValveDraft>>(() =>
    Object.fromEntries(fields.map((field) => [field.key, createDraft(field, values)])),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [isSaving, setIsSaving] = useState(false);
  const [isSaved, setIsSaved] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const inputIdOf = (key: string) => `${formId}-${key}`;

  const update = (field: ValveField, draft: ValveDraft) => {
    setDrafts((current) => ({ ...current, [field.key]: draft }));
    setIsSaved(false);
    if (errors[field.key]) setErrors(({ [field.key]: _removed, ...rest }) => rest);
  };

  const focusFirstError = (keys: string[]) => {
    const first = fields.find((field) => keys.includes(field.key));
    if (!first) return;
    requestAnimationFrame(() => {
      const element = formRef.current?.querySelector<HTMLElement>(`[id="${CSS.escape(inputIdOf(first.key))}"]`);
      (element?.matches("input, select, textarea") ? element : element?.querySelector<HTMLElement>("input"))?.focus();
    });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    setIsSaved(false);
    const collected = collectValves(fields, drafts);
    setErrors(collected.errors);
    if (Object.keys(collected.errors).length > 0) {
      focusFirstError(Object.keys(collected.errors));
      return;
    }
    setIsSaving(true);
    try {
      await onSave(collected.values);
      setIsSaved(true);
    } catch (error) {
      const { byField, other } = ApiError.isInstance(error) ? fieldErrorsFromBody(error.body, fields) : { byField: {}, other: [] };
      setErrors(byField);
      if (Object.keys(byField).length === 0 || other.length > 0) setFormError(other.length > 0 ? other.join("; ") : errorMessage(error));
      focusFirstError(Object.keys(byField));
    } finally {
      setIsSaving(false);
    }
  };

  if (fields.length === 0) return <p className="empty-state">This plugin has no settings here.</p>;

  return (
    <form ref={formRef} className="valves-form" noValidate onSubmit={submit} aria-busy={isSaving}>
      {fields.map((field) => {
        const draft = drafts[field.key]!;
        const inputId = inputIdOf(field.key);
        const error = errors[field.key];
        const descriptionId = `${inputId}-description`;
        const errorId = `${inputId}-error`;
        const bounds = describeBounds(field);
        const hint = [field.description, bounds && `(${bounds})`].filter(Boolean).join(" ");
        const describedBy = [hint && descriptionId, error && errorId].filter(Boolean).join(" ") || undefined;
        const isGroup = field.kind === "multiselect";
        const labelId = `${inputId}-label`;
        return (
          <div
            key={field.key}
            className={`valve-field${error ? " is-invalid" : ""}`}
            role={isGroup ? "group" : undefined}
            aria-labelledby={isGroup ? labelId : undefined}
          >
            <div className="valve-heading">
              {isGroup ? (
                <span id={labelId} className="valve-label">
                  {field.label}
                </span>
              ) : (
                <label id={labelId} className="valve-label" htmlFor={inputId}>
                  {field.label}
                  {field.isRequired && <span aria-hidden="true"> *</span>}
                </label>
              )}
              {field.hasDefault && (
                <button
                  type="button"
                  className={`valve-mode${draft.isCustom ? " is-custom" : ""}`}
                  aria-pressed={draft.isCustom}
                  aria-label={`Custom value for ${field.label}`}
                  title={draft.isCustom ? "Press to go back to the default" : "Press to set a value of your own"}
                  onClick={() =>
                    update(
                      field,
                      draft.isCustom ? { isCustom: false, input: toDraftInput(field, field.defaultValue) } : { ...draft, isCustom: true },
                    )
                  }
                >
                  {draft.isCustom ? "Custom" : "Default"}
                </button>
              )}
            </div>
            {hint && (
              <p id={descriptionId} className="valve-description">
                {hint}
              </p>
            )}
            <div className={`valve-control${draft.isCustom ? "" : " is-default"}`}>
              <ValveInput
                field={field}
                draft={draft}
                inputId={inputId}
                describedBy={describedBy}
                isInvalid={Boolean(error)}
                onInput={(input) => update(field, { isCustom: true, input })}
              />
              {!draft.isCustom && field.kind !== "boolean" && <span className="valve-default-note">{describeDefault(field)}</span>}
            </div>
            {error && (
              <p id={errorId} className="field-error" role="alert">
                {error}
              </p>
            )}
          </div>
        );
      })}
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <div className="form-actions">
        {isSaved && (
          <span className="form-saved" role="status">
            Saved
          </span>
        )}
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="button button-primary" disabled={isSaving}>
          {isSaving ? "Saving…" : saveLabel}
        </button>
      </div>
    </form>
  );
}
