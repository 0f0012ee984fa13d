import type { AppRoute } from "./app-route.ts";
import { matchPath } from "./router.tsx";
import { ChatPage } from "../chat/chat-page.tsx";
import { WORKSPACE_ROUTES } from "../workspace/workspace-routes.tsx";
import { ADMIN_ROUTES } from "../admin/admin-routes.tsx";
import { ACCOUNT_ROUTES } from "../account/account-routes.tsx";

/**
 * Every page of the signed-in app, in match order (first match wins). Accounts pages (sign-in,
 * sign-up, waiting for approval) are outside this list: they show before anyone is signed in.
 */
export const APP_ROUTES: AppRoute[] = [
  { path: "/", title: "New chat", render: () => <ChatPage chatId={null} />, isFullBleed: true },
  { path: "/c/:id", title: "Chat", render: ({ id }) => <ChatPage chatId={id!} />, isFullBleed: true },
  ...WORKSPACE_ROUTES,
  ...ADMIN_ROUTES,
  ...ACCOUNT_ROUTES,
];

/** The route for a path and its parameters, or undefined. */
export function findRoute(
  pathname: string,
  routes: readonly AppRoute[] = APP_ROUTES,
): { route: AppRoute; params: Record<string, string> } | undefined {
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
  }
  return undefined;
}
