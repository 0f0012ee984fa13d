import { useState } from "react";
import { Link } from "../../app/router.tsx";
import { AccessDialog } from "../sharing/access-dialog.tsx";
import { kindOf, type AccessControl, type PluginSection, type PluginRow } from "../plugin-api.ts";

export interface PluginListItemProps {
  namespace: PluginSection;
  row: PluginRow;
  isAdmin: boolean;
  /** The id of a switch being changed, to disable it meanwhile. */
  isBusy: boolean;
  onToggleActive(): void;
  onToggleGlobal(): void;
  onChangeAccess(accessControl: AccessControl): Promise<void> | void;
  onOpenValves(isUser: boolean): void;
  onDelete(): void;
}

/** "Public", "Private" or "Shared" for a tool's access control. */
export function describeAccess(accessControl: AccessControl | undefined): "public" | "private" | "shared" {
  if (accessControl === null || accessControl === undefined) return "public";
  const grants = [
    accessControl.read?.user_ids,
    accessControl.read?.group_ids,
    accessControl.write?.user_ids,
    accessControl.write?.group_ids,
  ];
  return grants.some((list) => (list?.length ?? 0) > 0) ? "shared" : "private";
}

const KIND_LABELS = { pipe: "Pipe", filter: "Filter", action: "Action", tools: "Tools", events: "Events" } as const;

/** One function or tool in the workspace list: what it is, its switches and its buttons. */
export function PluginListItem({
  namespace,
  row,
  isAdmin,
  isBusy,
  onToggleActive,
  onToggleGlobal,
  onChangeAccess,
  onOpenValves,
  onDelete,
}: PluginListItemProps) {
  const kind = kindOf(namespace, row);
  const manifest = row.meta?.manifest ?? {};
  const description = row.meta?.description || manifest.description;
  const details = [manifest.version && `v${manifest.version}`, manifest.author && `by ${manifest.author}`].filter(Boolean).join(" · ");
  const canWrite = namespace === "functions" ? isAdmin : row.write_access !== false;
  const editPath = `/workspace/${namespace}/${encodeURIComponent(row.id)}`;
  const hasGlobal = kind === "filter" || kind === "action";
  const access = describeAccess(row.access_control);
  const [isSharing, setIsSharing] = useState(false);

  return (
    <li className="plugin-item" aria-labelledby={`plugin-${row.id}-name`}>
      <div className="plugin-item-main">
        <div className="plugin-item-title">
          <span className={`badge kind-badge kind-${kind}`}>{KIND_LABELS[kind]}</span>
          <Link id={`plugin-${row.id}-name`} to={editPath} className="plugin-name">
            {row.name}
          </Link>
          <code className="plugin-id">{row.id}</code>
          {row.meta?.toggle && <span className="badge">toggle</span>}
        </div>
        {details && <div className="plugin-details small muted">{details}</div>}
        {kind === "events" && Array.isArray(row.meta?.events) && row.meta.events.length > 0 && (
          <div className="plugin-details small muted">Listens to {row.meta.events.join(", ")}</div>
        )}
        {description && <p className="plugin-description">{description}</p>}
        {row.load_error && (
          <p className="plugin-load-error small" role="note">
            <span className="badge badge-danger">Does not load</span> {row.load_error}
          </p>
        )}
      </div>
      <div className="plugin-item-controls">
        {namespace === "functions" && (
          <>
            <label className="switch">
              <input
                type="checkbox"
                role="switch"
                checked={row.is_active}
                disabled={!isAdmin || isBusy}
                onChange={onToggleActive}
                aria-label={`Active: ${row.name}`}
              />
              <span aria-hidden="true">Active</span>
            </label>
            {hasGlobal && (
              <label className="switch" title="Global: runs for every model (otherwise only for the models it is attached to)">
                <input
                  type="checkbox"
                  role="switch"
                  checked={row.is_global === true}
                  disabled={!isAdmin || isBusy}
                  onChange={onToggleGlobal}
                  aria-label={`Global: ${row.name}`}
                />
                <span aria-hidden="true">Global</span>
              </label>
            )}
          </>
        )}
        {namespace === "tools" &&
          (canWrite && access !== "shared" ? (
            <label className="access-select">
              <span className="visually-hidden">Access to {row.name}</span>
              <select
                className="input input-small"
                value={access}
                disabled={isBusy}
                onChange={(event) => onChangeAccess(event.target.value === "public" ? null : {})}
              >
                <option value="private">Private</option>
                <option value="public">Public</option>
              </select>
            </label>
          ) : (
            <span className="badge" title={access === "shared" ? "Shared with chosen users or groups" : undefined}>
              {access === "public" ? "Public" : access === "shared" ? "Shared" : "Private"}
            </span>
          ))}
        {namespace === "tools" && canWrite && (
          <button type="button" className="button button-small" onClick={() => setIsSharing(true)} aria-label={`Share ${row.name}`}>
            Share
          </button>
        )}
        {isSharing && (
          <AccessDialog
            subject={row.name}
            accessControl={row.access_control}
            ownerId={row.user_id}
            onSave={async (accessControl) => onChangeAccess(accessControl)}
            onClose={() => setIsSharing(false)}
          />
        )}
        <div className="button-row plugin-buttons">
          {canWrite && (
            <button type="button" className="button button-small" onClick={() => onOpenValves(false)} aria-label={`Valves of ${row.name}`}>
              Valves
            </button>
          )}
          {(row.meta?.has_user_valves || row.has_user_valves) && (
            <button
              type="button"
              className="button button-small"
              onClick={() => onOpenValves(true)}
              aria-label={`My settings for ${row.name}`}
            >
              My settings
            </button>
          )}
          <Link to={editPath} className="button button-small" aria-label={`Edit ${row.name}`}>
            {canWrite ? "Edit" : "View"}
          </Link>
          {canWrite && (
            <button
              type="button"
              className="button button-small button-quiet danger-text"
              onClick={onDelete}
              aria-label={`Delete ${row.name}`}
            >
              Delete
            </button>
          )}
        </div>
      </div>
    </li>
  );
}
