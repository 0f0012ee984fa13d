import { useLayoutEffect, useRef, useState } from "react";

/** The server's page for embeds: sandboxed by its own policy too, so it never shares the app's origin. */
const EMBED_FRAME_PATH = "/embed-frame.html";
const INITIAL_HEIGHT = 150;
const MAX_HEIGHT = 4000;
/** A page named by URL cannot tell its height: it gets a fixed one. */
const URL_EMBED_HEIGHT = 400;

function isUrl(embed: string): boolean {
  return /^https:\/\/\S+$/i.test(embed.trim());
}

/**
 * One embed: HTML written into the server's sandboxed embed frame, which runs its scripts and
 * reports its height; or a page by its https URL. `sandbox="allow-scripts"` without
 * `allow-same-origin`: the embed runs in an opaque origin, with no access to this page, its
 * storage (the token) or the API.
 */
function EmbedFrame({ embed, index }: { embed: string; index: number }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(INITIAL_HEIGHT);
  const isPage = isUrl(embed);

  // A layout effect: listening before the frame can load, so its "ready" is never missed.
  useLayoutEffect(() => {
    if (isPage) return;
    const onMessage = (event: MessageEvent) => {
      const target = frame.current?.contentWindow;
      if (!target || event.source !== target || typeof event.data !== "object" || event.data === null) return;
      const data = event.data as { type?: unknown; height?: unknown };
      // The frame is an opaque origin, which has no name to post to: "*" is the only target.
      if (data.type === "sluice:embed-ready") target.postMessage({ type: "sluice:embed", html: embed }, "*");
      else if (data.type === "sluice:embed-height" && typeof data.height === "number" && Number.isFinite(data.height)) {
        setHeight(Math.min(MAX_HEIGHT, Math.max(24, Math.ceil(data.height))));
      }
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, [embed, isPage]);

  return (
    <iframe
      ref={frame}
      className="message-embed"
      title={`Embedded content ${index + 1}`}
      sandbox="allow-scripts"
      src={isPage ? embed.trim() : EMBED_FRAME_PATH}
      referrerPolicy="no-referrer"
      loading="lazy"
      style={{ height: isPage ? URL_EMBED_HEIGHT : height }}
    />
  );
}

/**
 * A message's `embeds` (from plugins' `embeds` events, Open WebUI's rich output: charts,
 * widgets): each HTML string or https URL in a sandboxed frame sized to its content. Other
 * values are skipped.
 *
 * @example
 * <EmbedFrames embeds={message.embeds ?? []} />
 */
export function EmbedFrames({ embeds }: { embeds: readonly unknown[] }) {
  const shown = embeds.filter((embed): embed is string => typeof embed === "string" && embed.trim() !== "");
  if (shown.length === 0) return null;
  return (
    <div className="message-embeds">
      {shown.map((embed, index) => (
        <EmbedFrame key={`${index}:${embed.length}:${embed.slice(0, 64)}`} embed={embed} index={index} />
      ))}
    </div>
  );
}
