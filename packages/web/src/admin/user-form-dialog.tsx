import { useId, useState, type FormEvent } from "react";
import { errorMessage } from "../api/api-error.ts";
import type { Role } from "../api/types.ts";
import { Modal } from "../ui/modal.tsx";
import { Spinner } from "../ui/spinner.tsx";
import { userApi, type UserFields, type UserRow } from "./user-api.ts";

export interface UserFormDialogProps {
  /** The user to edit; without one the dialog creates an account. */
  user?: UserRow;
  /** The signed-in admin may not change its own role here. */
  isMe?: boolean;
  onSaved(user: UserRow): void;
  onClose(): void;
}

/**
 * An admin adds an account (name, email, password, role) or edits one: name, email, role, and a
 * new password when the field is filled (the user's sessions then end).
 */
export function UserFormDialog({ user, isMe = false, onSaved, onClose }: UserFormDialogProps) {
  const formId = useId();
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setIsSaving] = useState(false);
  const isNew = !user;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "");
    setIsSaving(true);
    setError(null);
    try {
      let saved: UserRow;
      if (isNew) {
        const added = await userApi.add({
          name: text("name"),
          email: text("email"),
          password: text("password"),
          role: text("role") as Role,
        });
        // The answer is the new account's sign-in (no dates, groups or grants): the list shows the full row.
        saved = await userApi.get(added.id);
      } else {
        const fields: UserFields = { name: text("name"), email: text("email") };
        if (!isMe) fields.role = text("role") as Role;
        if (text("password")) fields.password = text("password");
        saved = await userApi.update(user.id, fields);
      }
      onSaved(saved);
      onClose();
    } catch (thrown) {
      setError(errorMessage(thrown));
      setIsSaving(false);
    }
  };

  return (
    <Modal
      title={isNew ? "Add a user" : `Edit ${user.name}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={formId} className="button button-primary" disabled={isSaving}>
            {isSaving ? <Spinner label="Saving" /> : isNew ? "Add user" : "Save"}
          </button>
        </>
      }
    >
      <form id={formId} className="form" onSubmit={submit} aria-label={isNew ? "New user" : `User ${user.name}`}>
        <label className="field">
          <span className="field-label">Name</span>
          <input className="input" name="name" defaultValue={user?.name} required autoFocus />
        </label>
        <label className="field">
          <span className="field-label">Email</span>
          <input className="input" name="email" type="email" defaultValue={user?.email} required />
        </label>
        <label className="field">
          <span className="field-label">Role</span>
          <select className="input" name="role" defaultValue={user?.role ?? "user"} disabled={isMe}>
            <option value="pending">pending</option>
            <option value="user">user</option>
            <option value="admin">admin</option>
          </select>
          {isMe && <span className="field-hint">You cannot change your own role.</span>}
        </label>
        <label className="field">
          <span className="field-label">{isNew ? "Password" : "New password"}</span>
          <input className="input" name="password" type="password" autoComplete="new-password" required={isNew} />
          {!isNew && <span className="field-hint">Leave empty to keep the password. A new one signs the user out everywhere.</span>}
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Modal>
  );
}
