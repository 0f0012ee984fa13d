import type { AppRoute } from "../app/app-route.ts";

/** The plugin workspace's pages (functions, tools, editor, models), with their sidebar links. */
export const WORKSPACE_ROUTES: AppRoute[] = [];
