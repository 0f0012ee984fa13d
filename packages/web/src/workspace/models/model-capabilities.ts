/** The part of a model row's `meta` this file reads: `capabilities`, booleans by name (Open WebUI's shape). */
interface CapabilitiesHolder {
  capabilities?: unknown;
  [key: string]: unknown;
}

function capabilitiesOf(meta: CapabilitiesHolder | undefined): Record<string, unknown> {
  const capabilities = meta?.capabilities;
  return typeof capabilities === "object" && capabilities !== null && !Array.isArray(capabilities)
    ? (capabilities as Record<string, unknown>)
    : {};
}

/**
 * Whether a model reads images: its `meta.capabilities.vision`, true when absent, as Open WebUI
 * reads it (`model.info?.meta?.capabilities?.vision ?? true`).
 *
 * @example
 * isVisionCapable(undefined); // true
 * isVisionCapable({ capabilities: { vision: false } }); // false
 */
export function isVisionCapable(meta: CapabilitiesHolder | undefined): boolean {
  return Boolean(capabilitiesOf(meta).vision ?? true);
}

/** The row's `meta.capabilities` with `vision` set, its other capabilities kept. */
export function capabilitiesWithVision(meta: CapabilitiesHolder | undefined, isVision: boolean): Record<string, unknown> {
  return { ...capabilitiesOf(meta), vision: isVision };
}

/** What the chat says when an image meets a model that does not read images (Open WebUI's wording). */
export function notVisionCapableMessage(model: { id: string; name?: string }): string {
  return `Model ${model.name || model.id} is not vision capable`;
}
