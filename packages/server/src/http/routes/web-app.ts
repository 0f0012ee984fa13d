import { stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";
import { SluiceError } from "@sluice/sdk";
import type { RouteModule } from "../route-module.ts";
import type { AppServices } from "../../services.ts";
import { registerEmbedFrameRoute } from "./embed-frame.ts";

/** Where `npm run build --workspace packages/web` (run by `npm ci`'s prepare step) puts the web UI. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL("../../../../web/dist", import.meta.url));

/** Paths that belong to the API: never answered with the web UI, so a typo there stays a JSON 404. */
const API_PREFIXES = ["/api", "/health", "/ws", "/docs", "/openapi.json", "/openai", "/ollama"];

const BUILD_HINT =
  "The web UI is not built. Run `npm run build --workspace packages/web` (npm ci does it) and reload; the API works meanwhile.";

/**
 * The page's security policy: scripts only from this server (no inline scripts, no eval), so
 * model or plugin output that slipped into the page could not run. Images may come from
 * anywhere (plugin icons, files); workers from blob: for the code editor.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https: http:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "worker-src 'self' blob:",
  // Plugin embeds: this server's sandboxed embed frame, or a page the embed names.
  "frame-src 'self' blob: data: https:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

function isApiPath(urlPath: string): boolean {
  return API_PREFIXES.some((prefix) => urlPath === prefix || urlPath.startsWith(`${prefix}/`));
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function sendIndex(reply: FastifyReply): FastifyReply {
  return reply
    .header("cache-control", "no-cache")
    .header("content-security-policy", CONTENT_SECURITY_POLICY)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "same-origin")
    .sendFile("index.html", { maxAge: 0, immutable: false, cacheControl: false });
}

/**
 * Serves the built web UI from `webDir` at `/`: its files as they are (hashed `/assets/…`
 * cached for a year), and `index.html` for every other GET that is not an API path, so the
 * browser's router handles `/c/<id>`, `/workspace/…` on reload. Without a build the API still
 * works and `/` says how to build.
 */
export function createWebAppRoutes(webDir: string): RouteModule {
  const root = path.resolve(webDir);
  return async (app: FastifyInstance, services: AppServices) => {
    const isBuilt = await isFile(path.join(root, "index.html"));
    if (!isBuilt) services.logger.warn({ webDir: root }, BUILD_HINT);
    await app.register(fastifyStatic, { root, serve: false, suppressWarning: true });
    registerEmbedFrameRoute(app);

    app.get("/*", async (request, reply) => {
      let urlPath: string;
      try {
        urlPath = decodeURIComponent(request.url.split("?")[0]!);
      } catch {
        throw new SluiceError("INVALID_INPUT", "Malformed path");
      }
      if (isApiPath(urlPath)) throw new SluiceError("NOT_FOUND", `Not found: ${request.method} ${urlPath}`);
      if (!(await isFile(path.join(root, "index.html")))) {
        return reply.status(503).type("text/plain; charset=utf-8").send(BUILD_HINT);
      }
      const relative = path.normalize(urlPath).replace(/^([/\\])+/, "");
      const file = path.join(root, relative);
      if (relative && file.startsWith(root + path.sep) && (await isFile(file))) {
        const isHashed = relative.startsWith(`assets${path.sep}`);
        return reply.sendFile(relative, { maxAge: isHashed ? 365 * 24 * 3600 * 1000 : 0, immutable: isHashed });
      }
      // A missing file (`/logo.png`) is a 404; anything else is a page of the app.
      if (path.extname(urlPath) !== "" && !urlPath.endsWith(".html")) throw new SluiceError("NOT_FOUND", `Not found: ${urlPath}`);
      return sendIndex(reply);
    });
  };
}

/** The web UI from packages/web/dist. */
export const registerWebAppRoutes: RouteModule = createWebAppRoutes(DEFAULT_WEB_DIR);
