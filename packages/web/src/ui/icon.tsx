const PATHS = {
  pencil: "M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4",
  trash: "M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3",
  menu: "M4 7h16M4 12h16M4 17h16",
  close: "M6 6l12 12M18 6L6 18",
  gear: "M12 15a3 3 0 100-6 3 3 0 000 6zM19.4 15a1.7 1.7 0 00.3 1.8l.1.1a2 2 0 11-2.8 2.8l-.1-.1a1.7 1.7 0 00-1.8-.3 1.7 1.7 0 00-1 1.5V21a2 2 0 11-4 0v-.1a1.7 1.7 0 00-1.1-1.5 1.7 1.7 0 00-1.8.3l-.1.1a2 2 0 11-2.8-2.8l.1-.1a1.7 1.7 0 00.3-1.8 1.7 1.7 0 00-1.5-1H3a2 2 0 110-4h.1a1.7 1.7 0 001.5-1.1 1.7 1.7 0 00-.3-1.8l-.1-.1a2 2 0 112.8-2.8l.1.1a1.7 1.7 0 001.8.3H9a1.7 1.7 0 001-1.5V3a2 2 0 114 0v.1a1.7 1.7 0 001 1.5 1.7 1.7 0 001.8-.3l.1-.1a2 2 0 112.8 2.8l-.1.1a1.7 1.7 0 00-.3 1.8V9a1.7 1.7 0 001.5 1H21a2 2 0 110 4h-.1a1.7 1.7 0 00-1.5 1z",
  send: "M12 19V5M5 12l7-7 7 7",
  stop: "M7 7h10v10H7z",
  copy: "M9 9h11v11H9zM5 15H4V4h11v1",
  plus: "M12 5v14M5 12h14",
  clock: "M12 21a9 9 0 100-18 9 9 0 000 18zM12 7v5l3 2",
  paperclip: "M21 11l-8.5 8.5a5 5 0 01-7-7L14 4a3.5 3.5 0 015 5l-8.5 8.5a2 2 0 01-3-3L15 7",
  wrench: "M14.7 6.3a4 4 0 005 5L21 13l-8 8-3-3 1.3-1.3a4 4 0 00-5-5L3 8l5-5 3 3z",
  more: "M5 12h.01M12 12h.01M19 12h.01",
  "folder-plus": "M3 6h6l2 2h10v11H3zM12 11v5M9.5 13.5h5",
  archive: "M3 5h18v4H3zM5 9v10h14V9M10 13h4",
  upload: "M12 16V4M7 9l5-5 5 5M4 20h16",
  chevron: "M9 6l6 6-6 6",
  check: "M5 12l5 5L20 7",
  regenerate: "M21 4v6h-6M20.5 15a9 9 0 11-2.1-9.4L21 10",
  play: "M7 4l12 8-12 8z",
} as const;

export type IconName = keyof typeof PATHS;

/** Icons drawn as solid shapes rather than lines. */
const FILLED: ReadonlySet<IconName> = new Set(["stop"]);

/**
 * A small line icon (24×24 viewBox, current colour), hidden from screen readers: give the
 * button around it an accessible name.
 *
 * @example
 * <button aria-label="Delete"><Icon name="trash" /></button>
 */
export function Icon({ name, size = 16 }: { name: IconName; size?: number }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill={FILLED.has(name) ? "currentColor" : "none"}
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
