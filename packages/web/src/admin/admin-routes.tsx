import type { AppRoute } from "../app/app-route.ts";

/** The admin pages (users), with their sidebar links. */
export const ADMIN_ROUTES: AppRoute[] = [];
