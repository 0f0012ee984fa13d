import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { createPortal } from "react-dom";

/** An item of a {@link Menu}: a button that the arrow keys reach. */
export function MenuItem({ onSelect, children }: { onSelect(): void; children: ReactNode }) {
  return (
    <button type="button" role="menuitem" className="menu-item" tabIndex={-1} onClick={onSelect}>
      {children}
    </button>
  );
}

/**
 * A menu under its button, drawn over the page (the sidebar's list scrolls and would clip it):
 * the first item takes focus, arrows move, Escape or a click elsewhere closes it.
 */
export function Menu({
  anchor,
  label,
  onClose,
  children,
}: {
  anchor: HTMLElement | null;
  label: string;
  onClose(): void;
  children: ReactNode;
}) {
  const menu = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState<{ top: number; left: number } | null>(null);

  useLayoutEffect(() => {
    if (!anchor || !menu.current) return;
    const box = anchor.getBoundingClientRect();
    const height = menu.current.offsetHeight;
    const width = menu.current.offsetWidth;
    const top = box.bottom + height > window.innerHeight ? Math.max(4, box.top - height) : box.bottom;
    setPosition({ top, left: Math.max(4, Math.min(box.right - width, window.innerWidth - width - 4)) });
  }, [anchor]);

  // Only once placed: until then the menu is hidden, and a hidden element cannot take focus.
  const isPlaced = position !== null;
  useLayoutEffect(() => {
    if (isPlaced) menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [isPlaced]);

  useEffect(() => {
    const onPointerDown = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node) && !anchor?.contains(event.target as Node)) onClose();
    };
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [anchor, onClose]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === "Escape" || event.key === "Tab") {
      event.preventDefault();
      event.stopPropagation();
      onClose();
      anchor?.focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      items[(index + step + items.length) % items.length]?.focus();
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      (event.key === "Home" ? items[0] : items.at(-1))?.focus();
    }
  };

  return createPortal(
    <div
      ref={menu}
      role="menu"
      aria-label={label}
      className="chat-menu"
      style={position ? { top: position.top, left: position.left } : { visibility: "hidden" }}
      onKeyDown={onKeyDown}
    >
      {children}
    </div>,
    document.body,
  );
}
