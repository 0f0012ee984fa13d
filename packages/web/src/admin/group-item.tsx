import { useState, type FormEvent } from "react";
import { GROUP_PERMISSIONS, type GroupFields, type GroupRow } from "./group-api.ts";
import { withPermission, type UserRow } from "./user-api.ts";

export interface GroupItemProps {
  group: GroupRow;
  users: UserRow[];
  isBusy: boolean;
  onUpdate(fields: GroupFields, success: string): Promise<void>;
  onDelete(): void;
}

/** One group: its name (renamed in place), members, permission switches and delete button. */
export function GroupItem({ group, users, isBusy, onUpdate, onDelete }: GroupItemProps) {
  const [isRenaming, setIsRenaming] = useState(false);
  const [name, setName] = useState(group.name);
  const [newMemberId, setNewMemberId] = useState("");
  const nameOf = (id: string) => users.find((user) => user.id === id)?.name ?? id;
  const candidates = users.filter((user) => !group.user_ids.includes(user.id));

  const rename = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    await onUpdate({ name }, `Renamed the group to ${name.trim()}`);
    setIsRenaming(false);
  };

  return (
    <li className="plugin-item" aria-label={group.name}>
      <div className="plugin-item-main">
        {isRenaming ? (
          <form className="group-rename" onSubmit={rename} aria-label={`Rename ${group.name}`}>
            <input
              className="input"
              aria-label="Group name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              required
              autoFocus
              onKeyDown={(event) => event.key === "Escape" && setIsRenaming(false)}
            />
            <button type="submit" className="button button-small button-primary" disabled={isBusy}>
              Save
            </button>
            <button type="button" className="button button-small" onClick={() => setIsRenaming(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <div className="plugin-item-title">
            <span className="plugin-name">{group.name}</span>
            <span className="small muted">
              {group.user_ids.length} {group.user_ids.length === 1 ? "member" : "members"}
            </span>
          </div>
        )}
        {group.user_ids.length > 0 && (
          <ul className="group-members" aria-label={`Members of ${group.name}`}>
            {group.user_ids.map((id) => (
              <li key={id} className="group-member badge">
                {nameOf(id)}
                <button
                  type="button"
                  className="link-button"
                  aria-label={`Remove ${nameOf(id)} from ${group.name}`}
                  disabled={isBusy}
                  onClick={() =>
                    onUpdate({ user_ids: group.user_ids.filter((userId) => userId !== id) }, `Removed ${nameOf(id)} from ${group.name}`)
                  }
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        {candidates.length > 0 && (
          <div className="group-add-member">
            <select
              className="input input-small"
              aria-label={`User to add to ${group.name}`}
              value={newMemberId}
              onChange={(event) => setNewMemberId(event.target.value)}
            >
              <option value="">Add a member…</option>
              {candidates.map((user) => (
                <option key={user.id} value={user.id}>
                  {user.name} ({user.email})
                </option>
              ))}
            </select>
            <button
              type="button"
              className="button button-small"
              disabled={!newMemberId || isBusy}
              onClick={async () => {
                await onUpdate({ user_ids: [...group.user_ids, newMemberId] }, `Added ${nameOf(newMemberId)} to ${group.name}`);
                setNewMemberId("");
              }}
            >
              Add member
            </button>
          </div>
        )}
      </div>
      <div className="plugin-item-controls">
        {GROUP_PERMISSIONS.map((permission) => (
          <label key={`${permission.area}.${permission.name}`} className="switch">
            <input
              type="checkbox"
              role="switch"
              checked={group.permissions?.[permission.area]?.[permission.name] === true}
              disabled={isBusy}
              aria-label={`${group.name}: ${permission.label}`}
              onChange={(event) =>
                onUpdate(
                  { permissions: withPermission(group.permissions ?? {}, permission.area, permission.name, event.target.checked) },
                  `${group.name}: ${permission.label.toLowerCase()} ${event.target.checked ? "on" : "off"}`,
                )
              }
            />
            <span aria-hidden="true">{permission.label}</span>
          </label>
        ))}
        <div className="button-row plugin-buttons">
          <button
            type="button"
            className="button button-small"
            aria-label={`Rename ${group.name}`}
            onClick={() => {
              setName(group.name);
              setIsRenaming(true);
            }}
          >
            Rename
          </button>
          <button
            type="button"
            className="button button-small button-quiet danger-text"
            aria-label={`Delete ${group.name}`}
            onClick={onDelete}
          >
            Delete
          </button>
        </div>
      </div>
    </li>
  );
}
