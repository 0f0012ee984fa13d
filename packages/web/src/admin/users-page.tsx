import { useCallback, useEffect, useMemo, useState } from "react";
import { errorMessage } from "../api/api-error.ts";
import type { Role } from "../api/types.ts";
import { useAuth } from "../auth/auth-context.tsx";
import { Spinner } from "../ui/spinner.tsx";
import { useToaster } from "../ui/toasts.tsx";
import { ConfirmDialog } from "../workspace/confirm-dialog.tsx";
import { SignUpSettings } from "./sign-up-settings.tsx";
import { UserFormDialog } from "./user-form-dialog.tsx";
import { userApi, withPermission, type Permissions, type UserRow } from "./user-api.ts";
import "../workspace/workspace.css";
import "./admin.css";

const ROLE_ORDER: Record<Role, number> = { pending: 0, admin: 1, user: 2 };

function formatDate(epochSeconds: number): string {
  return epochSeconds
    ? new Date(epochSeconds * 1000).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" })
    : "–";
}

type Dialog = { type: "add" } | { type: "edit"; user: UserRow } | { type: "delete"; user: UserRow };

/**
 * Admins add, edit (name, email, role, password) and delete accounts, approve pending ones,
 * allow users to create tools, and switch sign-up on or off.
 */
export function UsersPage() {
  const { user: me } = useAuth();
  const toaster = useToaster();
  const [users, setUsers] = useState<UserRow[] | null>(null);
  const [defaults, setDefaults] = useState<Permissions | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);

  const replaceUser = (saved: UserRow) =>
    setUsers((current) =>
      current?.some((item) => item.id === saved.id)
        ? current.map((item) => (item.id === saved.id ? saved : item))
        : [...(current ?? []), saved],
    );

  const reload = useCallback(() => {
    setError(null);
    Promise.all([userApi.list(), userApi.defaultPermissions()]).then(
      ([list, permissions]) => {
        setUsers(list);
        setDefaults(permissions);
      },
      (thrown: unknown) => setError(errorMessage(thrown)),
    );
  }, []);
  useEffect(reload, [reload]);

  const sorted = useMemo(
    () => [...(users ?? [])].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.name.localeCompare(b.name)),
    [users],
  );
  const pendingCount = sorted.filter((user) => user.role === "pending").length;
  const isToolsDefault = defaults?.workspace?.tools === true;

  const update = async (user: UserRow, fields: Parameters<typeof userApi.update>[1], success: string) => {
    setBusyId(user.id);
    try {
      const updated = await userApi.update(user.id, fields);
      setUsers((current) => current?.map((item) => (item.id === updated.id ? updated : item)) ?? null);
      toaster.show({ type: "success", content: success });
    } catch (thrown) {
      toaster.show({ type: "error", content: `${user.name}: ${errorMessage(thrown)}` });
    } finally {
      setBusyId(null);
    }
  };

  const setToolsDefault = async (isGranted: boolean) => {
    try {
      setDefaults(await userApi.setDefaultPermissions(withPermission(defaults ?? {}, "workspace", "tools", isGranted)));
      toaster.show({
        type: "success",
        content: isGranted ? "Every user may now create tools" : "Only users allowed one by one may create tools",
      });
    } catch (thrown) {
      toaster.show({ type: "error", content: errorMessage(thrown) });
    }
  };

  return (
    <div className="workspace-page">
      <div className="page-header">
        <div>
          <h2>Users</h2>
          <p className="muted small page-lead">
            {pendingCount > 0 ? `${pendingCount} waiting for approval. ` : ""}Add accounts here, or let people sign up and choose whether
            they wait for your approval.
          </p>
        </div>
        <div className="admin-header-actions">
          {defaults && (
            <label className="switch">
              <input type="checkbox" role="switch" checked={isToolsDefault} onChange={(event) => setToolsDefault(event.target.checked)} />
              Every user may create tools
            </label>
          )}
          <button type="button" className="button button-primary" onClick={() => setDialog({ type: "add" })}>
            Add user
          </button>
        </div>
      </div>
      <SignUpSettings />
      {error && (
        <div className="form-error" role="alert">
          Could not load the users: {error}{" "}
          <button type="button" className="link-button" onClick={reload}>
            Try again
          </button>
        </div>
      )}
      {!users && !error && (
        <div className="loading-state">
          <Spinner label="Loading users" /> Loading users…
        </div>
      )}
      {users && (
        <ul className="plugin-list" aria-label="Users">
          {sorted.map((user) => {
            const isMe = user.id === me?.id;
            const canCreateTools = user.role === "admin" || user.permissions?.workspace?.tools === true;
            return (
              <li key={user.id} className={`plugin-item${user.role === "pending" ? " is-pending" : ""}`} aria-label={user.name}>
                <div className="plugin-item-main">
                  <div className="plugin-item-title">
                    <span className={`badge ${user.role === "admin" ? "badge-primary" : user.role === "pending" ? "badge-warning" : ""}`}>
                      {user.role}
                    </span>
                    {user.profile_image_url && <img className="user-avatar-image" src={user.profile_image_url} alt="" />}
                    <span className="plugin-name">{user.name}</span>
                    {isMe && <span className="small muted">(you)</span>}
                  </div>
                  <div className="small muted">
                    {user.email} · joined {formatDate(user.created_at)}
                    {user.group_ids.length > 0 && ` · ${user.group_ids.length} ${user.group_ids.length === 1 ? "group" : "groups"}`}
                  </div>
                </div>
                <div className="plugin-item-controls">
                  {user.role === "pending" && (
                    <button
                      type="button"
                      className="button button-primary button-small"
                      disabled={busyId === user.id}
                      onClick={() => update(user, { role: "user" }, `Approved ${user.name}`)}
                    >
                      Approve
                    </button>
                  )}
                  <label className="access-select">
                    <span className="visually-hidden">Role of {user.name}</span>
                    <select
                      className="input input-small"
                      value={user.role}
                      disabled={busyId === user.id || isMe}
                      title={isMe ? "You cannot change your own role" : undefined}
                      onChange={(event) => update(user, { role: event.target.value as Role }, `${user.name} is now ${event.target.value}`)}
                    >
                      <option value="pending">pending</option>
                      <option value="user">user</option>
                      <option value="admin">admin</option>
                    </select>
                  </label>
                  <label
                    className="switch"
                    title={
                      user.role === "admin"
                        ? "Admins may always create tools"
                        : isToolsDefault
                          ? "Every user may create tools (default permissions)"
                          : undefined
                    }
                  >
                    <input
                      type="checkbox"
                      role="switch"
                      checked={canCreateTools || isToolsDefault}
                      disabled={busyId === user.id || user.role === "admin" || isToolsDefault}
                      onChange={(event) =>
                        update(
                          user,
                          { permissions: withPermission(user.permissions ?? {}, "workspace", "tools", event.target.checked) },
                          event.target.checked ? `${user.name} may create tools` : `${user.name} may no longer create tools`,
                        )
                      }
                      aria-label={`${user.name} may create tools`}
                    />
                    <span aria-hidden="true">Can create tools</span>
                  </label>
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => setDialog({ type: "edit", user })}
                    aria-label={`Edit ${user.name}`}
                  >
                    Edit
                  </button>
                  {!isMe && (
                    <button
                      type="button"
                      className="button button-small button-quiet danger-text"
                      onClick={() => setDialog({ type: "delete", user })}
                      aria-label={`Delete ${user.name}`}
                    >
                      Delete
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {dialog?.type === "add" && (
        <UserFormDialog
          onSaved={(saved) => {
            replaceUser(saved);
            toaster.show({ type: "success", content: `Added ${saved.name}` });
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.type === "edit" && (
        <UserFormDialog
          user={dialog.user}
          isMe={dialog.user.id === me?.id}
          onSaved={(saved) => {
            replaceUser(saved);
            toaster.show({ type: "success", content: `Saved ${saved.name}` });
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.type === "delete" && (
        <ConfirmDialog
          title={`Delete ${dialog.user.name}?`}
          confirmLabel="Delete"
          isDangerous
          onConfirm={async () => {
            await userApi.remove(dialog.user.id);
            setUsers((current) => current?.filter((item) => item.id !== dialog.user.id) ?? null);
            toaster.show({ type: "success", content: `Deleted ${dialog.user.name}` });
          }}
          onClose={() => setDialog(null)}
        >
          {dialog.user.email} can no longer sign in; the account's API key stops working.
        </ConfirmDialog>
      )}
    </div>
  );
}
