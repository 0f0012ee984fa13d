/** A small spinning ring; `label` is read by screen readers. */
export function Spinner({ label = "Loading", size = "small" }: { label?: string; size?: "small" | "large" }) {
  return <span className={`spinner spinner-${size}`} role="status" aria-label={label} />;
}
