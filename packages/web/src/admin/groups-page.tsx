import { useCallback, useEffect, useState, type FormEvent } from "react";
import { errorMessage } from "../api/api-error.ts";
import { Spinner } from "../ui/spinner.tsx";
import { useToaster } from "../ui/toasts.tsx";
import { ConfirmDialog } from "../workspace/confirm-dialog.tsx";
import { GroupItem } from "./group-item.tsx";
import { groupApi, type GroupFields, type GroupRow } from "./group-api.ts";
import { userApi, type UserRow } from "./user-api.ts";
import "../workspace/workspace.css";
import "./admin.css";

/** Admins create, rename and delete groups, choose their members and what members may do. */
export function GroupsPage() {
  const toaster = useToaster();
  const [groups, setGroups] = useState<GroupRow[] | null>(null);
  const [users, setUsers] = useState<UserRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<GroupRow | null>(null);
  const [newName, setNewName] = useState("");

  const reload = useCallback(() => {
    setError(null);
    Promise.all([groupApi.list(), userApi.list()]).then(
      ([groupList, userList]) => {
        setGroups(groupList);
        setUsers(userList);
      },
      (thrown: unknown) => setError(errorMessage(thrown)),
    );
  }, []);
  useEffect(reload, [reload]);

  const replace = (saved: GroupRow) =>
    setGroups((current) =>
      current?.some((group) => group.id === saved.id)
        ? current.map((group) => (group.id === saved.id ? saved : group))
        : [...(current ?? []), saved],
    );

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    try {
      const created = await groupApi.create({ name: newName });
      replace(created);
      setNewName("");
      toaster.show({ type: "success", content: `Created the group ${created.name}` });
    } catch (thrown) {
      toaster.show({ type: "error", content: errorMessage(thrown) });
    }
  };

  const update = async (group: GroupRow, fields: GroupFields, success: string) => {
    setBusyId(group.id);
    try {
      replace(await groupApi.update(group.id, fields));
      toaster.show({ type: "success", content: success });
    } catch (thrown) {
      toaster.show({ type: "error", content: `${group.name}: ${errorMessage(thrown)}` });
    } finally {
      setBusyId(null);
    }
  };

  return (
    <div className="workspace-page">
      <div className="page-header">
        <div>
          <h2>Groups</h2>
          <p className="muted small page-lead">
            Members get the group’s permissions on top of their own, and tools and models can be shared with a group.
          </p>
        </div>
        <form className="admin-header-actions" onSubmit={create} aria-label="New group">
          <label className="visually-hidden" htmlFor="new-group-name">
            Name of the new group
          </label>
          <input
            id="new-group-name"
            className="input"
            placeholder="New group name"
            value={newName}
            onChange={(event) => setNewName(event.target.value)}
            required
          />
          <button type="submit" className="button button-primary">
            Create group
          </button>
        </form>
      </div>
      {error && (
        <div className="form-error" role="alert">
          Could not load the groups: {error}{" "}
          <button type="button" className="link-button" onClick={reload}>
            Try again
          </button>
        </div>
      )}
      {!groups && !error && (
        <div className="loading-state">
          <Spinner label="Loading groups" /> Loading groups…
        </div>
      )}
      {groups && groups.length === 0 && (
        <div className="empty-state">
          <h2>No groups yet</h2>
          <p>Create one above, then add members.</p>
        </div>
      )}
      {groups && groups.length > 0 && (
        <ul className="plugin-list" aria-label="Groups">
          {groups.map((group) => (
            <GroupItem
              key={group.id}
              group={group}
              users={users}
              isBusy={busyId === group.id}
              onUpdate={(fields, success) => update(group, fields, success)}
              onDelete={() => setDeleting(group)}
            />
          ))}
        </ul>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete the group ${deleting.name}?`}
          confirmLabel="Delete"
          isDangerous
          onConfirm={async () => {
            await groupApi.remove(deleting.id);
            setGroups((current) => current?.filter((group) => group.id !== deleting.id) ?? null);
            toaster.show({ type: "success", content: `Deleted the group ${deleting.name}` });
          }}
          onClose={() => setDeleting(null)}
        >
          Its members lose what the group granted them; tools and models shared with it are no longer shared with them.
        </ConfirmDialog>
      )}
    </div>
  );
}
