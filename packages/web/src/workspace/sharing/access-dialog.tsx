import { useEffect, useId, useState } from "react";
import type { AccessControl } from "@sluice/sdk/wire";
import { errorMessage } from "../../api/api-error.ts";
import { Modal } from "../../ui/modal.tsx";
import { Spinner } from "../../ui/spinner.tsx";
import { accessControlOf, grantsOf, type Grant, type PrincipalKind } from "./access-grants.ts";
import { loadPrincipals, type GroupRow, type UserChoice } from "./principals-api.ts";
import "./access-dialog.css";

export interface AccessDialogProps {
  /** What is shared, e.g. "Weather (tool)". */
  subject: string;
  accessControl: AccessControl | undefined;
  /** The owner, left out of the user choices (it always has access). */
  ownerId?: string;
  /** Saves the new `access_control`; a throw is shown in the dialog, which stays open. */
  onSave(accessControl: AccessControl): Promise<void>;
  onClose(): void;
}

/**
 * Who may use a tool or model: everyone (public), or only its owner, admins and the groups and
 * users chosen here, each allowed to read (use it) or also to write (edit it).
 */
export function AccessDialog({ subject, accessControl, ownerId, onSave, onClose }: AccessDialogProps) {
  const formId = useId();
  const [isPublic, setIsPublic] = useState(accessControl === null || accessControl === undefined);
  const [grants, setGrants] = useState<Grant[]>(() => grantsOf(accessControl));
  const [principals, setPrincipals] = useState<{ groups: GroupRow[]; users: UserChoice[] } | null>(null);
  const [choice, setChoice] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setIsSaving] = useState(false);

  useEffect(() => {
    loadPrincipals().then(setPrincipals, (thrown: unknown) => setError(`Could not load groups and users: ${errorMessage(thrown)}`));
  }, []);

  const nameOf = (kind: PrincipalKind, id: string) =>
    (kind === "group"
      ? principals?.groups.find((group) => group.id === id)?.name
      : principals?.users.find((user) => user.id === id)?.name) ?? id;
  const isGranted = (kind: PrincipalKind, id: string) => grants.some((grant) => grant.kind === kind && grant.id === id);
  const groupChoices = principals?.groups.filter((group) => !isGranted("group", group.id)) ?? [];
  const userChoices = principals?.users.filter((user) => user.id !== ownerId && !isGranted("user", user.id)) ?? [];

  const add = () => {
    const [kind, id] = choice.split(":", 2) as [PrincipalKind, string];
    if (!id) return;
    setGrants((current) => [...current, { kind, id, canWrite: false }]);
    setChoice("");
  };

  const save = async () => {
    setIsSaving(true);
    setError(null);
    try {
      await onSave(accessControlOf(isPublic, grants));
      onClose();
    } catch (thrown) {
      setError(errorMessage(thrown));
      setIsSaving(false);
    }
  };

  return (
    <Modal
      title={`Share ${subject}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button button-primary" onClick={save} disabled={isSaving}>
            {isSaving ? <Spinner label="Saving" /> : "Save access"}
          </button>
        </>
      }
    >
      <fieldset className="access-visibility">
        <legend className="field-label">Who may use it</legend>
        <label>
          <input type="radio" name={`${formId}-visibility`} checked={isPublic} onChange={() => setIsPublic(true)} /> Public: every user
        </label>
        <label>
          <input type="radio" name={`${formId}-visibility`} checked={!isPublic} onChange={() => setIsPublic(false)} /> Restricted: the
          owner, admins and the groups and users below
        </label>
      </fieldset>
      {!isPublic && (
        <>
          {!principals && !error && (
            <div className="loading-state">
              <Spinner label="Loading groups and users" />
            </div>
          )}
          {principals && (
            <div className="access-add">
              <label className="visually-hidden" htmlFor={`${formId}-choice`}>
                Group or user to share with
              </label>
              <select id={`${formId}-choice`} className="input" value={choice} onChange={(event) => setChoice(event.target.value)}>
                <option value="">Add a group or user…</option>
                {groupChoices.length > 0 && (
                  <optgroup label="Groups">
                    {groupChoices.map((group) => (
                      <option key={group.id} value={`group:${group.id}`}>
                        {group.name}
                      </option>
                    ))}
                  </optgroup>
                )}
                {userChoices.length > 0 && (
                  <optgroup label="Users">
                    {userChoices.map((user) => (
                      <option key={user.id} value={`user:${user.id}`}>
                        {user.name} ({user.email})
                      </option>
                    ))}
                  </optgroup>
                )}
              </select>
              <button type="button" className="button" onClick={add} disabled={!choice}>
                Add
              </button>
            </div>
          )}
          {grants.length === 0 ? (
            <p className="muted small">Only the owner and admins.</p>
          ) : (
            <ul className="access-grants" aria-label="Shared with">
              {grants.map((grant) => {
                const name = nameOf(grant.kind, grant.id);
                return (
                  <li key={`${grant.kind}:${grant.id}`} className="access-grant">
                    <span className="badge">{grant.kind}</span>
                    <span className="access-grant-name">{name}</span>
                    <select
                      className="input input-small"
                      aria-label={`Access of ${name}`}
                      value={grant.canWrite ? "write" : "read"}
                      onChange={(event) =>
                        setGrants((current) =>
                          current.map((item) => (item === grant ? { ...item, canWrite: event.target.value === "write" } : item)),
                        )
                      }
                    >
                      <option value="read">Can use</option>
                      <option value="write">Can edit</option>
                    </select>
                    <button
                      type="button"
                      className="button button-small button-quiet"
                      aria-label={`Remove ${name}`}
                      onClick={() => setGrants((current) => current.filter((item) => item !== grant))}
                    >
                      Remove
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </Modal>
  );
}
