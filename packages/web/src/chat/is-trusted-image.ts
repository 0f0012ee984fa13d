/**
 * Whether an image may load by itself: inline data of a raster type, or a URL whose origin is this
 * page's own, not a third party that would learn who reads the chat. The URL is resolved against
 * the page, so `//evil.example/x.png` and `https://this-host.evil.example/` are foreign and
 * `/files/x.png` is not.
 *
 * @example
 * isTrustedImage("/api/v1/files/1/content"); // true
 * isTrustedImage("//evil.example/pixel.png"); // false
 */
export function isTrustedImage(source: string): boolean {
  if (/^data:image\/(png|jpe?g|gif|webp);/i.test(source)) return true;
  try {
    const url = new URL(source, window.location.href);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === window.location.origin;
  } catch {
    return false;
  }
}
