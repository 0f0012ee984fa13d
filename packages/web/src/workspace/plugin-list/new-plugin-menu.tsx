import { useEffect, useId, useRef, useState } from "react";
import { Link } from "../../app/router.tsx";
import type { PluginKind, PluginSection } from "../plugin-api.ts";
import { KIND_DESCRIPTIONS } from "../plugin-editor/plugin-templates.ts";

const KINDS_OF: Record<PluginSection, PluginKind[]> = { functions: ["filter", "pipe", "action", "events"], tools: ["tools"] };
const LABELS: Record<PluginKind, string> = { pipe: "Pipe", filter: "Filter", action: "Action", tools: "Tool", events: "Event plugin" };

/** "New" button: one kind goes straight to the editor; several open a small menu of kinds. */
export function NewPluginMenu({ namespace }: { namespace: PluginSection }) {
  const kinds = KINDS_OF[namespace];
  const [isOpen, setIsOpen] = useState(false);
  const menuId = useId();
  const wrapper = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!isOpen) return;
    wrapper.current?.querySelector<HTMLElement>("[role=menu] a")?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!wrapper.current?.contains(event.target as Node)) setIsOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [isOpen]);

  if (kinds.length === 1) {
    return (
      <Link to={`/workspace/${namespace}/new?kind=${kinds[0]}`} className="button button-primary">
        New {LABELS[kinds[0]!].toLowerCase()}
      </Link>
    );
  }
  return (
    <div
      className="menu-wrapper"
      ref={wrapper}
      onKeyDown={(event) => {
        if (event.key === "Escape" && isOpen) {
          event.stopPropagation();
          setIsOpen(false);
          wrapper.current?.querySelector<HTMLElement>("button")?.focus();
        }
        if ((event.key === "ArrowDown" || event.key === "ArrowUp") && isOpen) {
          event.preventDefault();
          const items = [...(wrapper.current?.querySelectorAll<HTMLElement>("[role=menu] a") ?? [])];
          const index = items.indexOf(document.activeElement as HTMLElement);
          items[(index + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length]?.focus();
        }
      }}
    >
      <button
        type="button"
        className="button button-primary"
        aria-haspopup="menu"
        aria-expanded={isOpen}
        aria-controls={menuId}
        onClick={() => setIsOpen(!isOpen)}
      >
        New function <span aria-hidden="true">▾</span>
      </button>
      {isOpen && (
        <div className="menu" role="menu" id={menuId}>
          {kinds.map((kind) => (
            <Link
              key={kind}
              role="menuitem"
              to={`/workspace/${namespace}/new?kind=${kind}`}
              className="menu-item"
              onClick={() => setIsOpen(false)}
            >
              <strong>{LABELS[kind]}</strong>
              <span className="small muted">{KIND_DESCRIPTIONS[kind]}</span>
            </Link>
          ))}
        </div>
      )}
    </div>
  );
}
