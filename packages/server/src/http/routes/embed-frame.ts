import type { FastifyInstance } from "fastify";

/** Where the page loads plugin embeds (`embeds` events) into sandboxed frames. */
export const EMBED_FRAME_PATH = "/embed-frame.html";

/**
 * The frame's own policy. `sandbox allow-scripts` makes it an opaque origin even if it is opened
 * on its own or framed without a sandbox attribute: it can never read the page, its storage (the
 * token) or call the API as the user. Inside, an embed may run its inline scripts and load what
 * it needs from anywhere, as Open WebUI's embeds (charts, widgets) do.
 */
const EMBED_FRAME_POLICY = [
  "sandbox allow-scripts",
  "default-src * data: blob: 'unsafe-inline' 'unsafe-eval'",
  "frame-ancestors 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

/**
 * The frame's page: it tells its parent it is ready, takes the embed's HTML from the parent only
 * (`sluice:embed`), writes it as its document, and reports the document's height
 * (`sluice:embed-height`) whenever it changes, so the page can size the frame to its content.
 */
const EMBED_FRAME_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><style>html,body{margin:0}</style></head><body><script>
(function () {
  var host = window.parent;
  if (host === window) return;
  window.addEventListener("message", function (event) {
    if (event.source !== host || !event.data || event.data.type !== "sluice:embed") return;
    var html = String(event.data.html);
    document.open();
    document.write(html);
    document.close();
    var report = function () {
      host.postMessage({ type: "sluice:embed-height", height: Math.ceil(document.documentElement.scrollHeight) }, "*");
    };
    new ResizeObserver(report).observe(document.documentElement);
    window.addEventListener("load", report);
    report();
  }, { once: true });
  host.postMessage({ type: "sluice:embed-ready" }, "*");
})();
</script></body></html>
`;

/** Serves {@link EMBED_FRAME_PATH} with {@link EMBED_FRAME_POLICY}. */
export function registerEmbedFrameRoute(app: FastifyInstance): void {
  app.get(EMBED_FRAME_PATH, async (_request, reply) =>
    reply
      .header("content-security-policy", EMBED_FRAME_POLICY)
      .header("x-content-type-options", "nosniff")
      .header("referrer-policy", "no-referrer")
      .header("cache-control", "no-cache")
      .type("text/html; charset=utf-8")
      .send(EMBED_FRAME_HTML),
  );
}
