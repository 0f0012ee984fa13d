import type { ReactNode } from "react";

/** Where a page's link appears in the sidebar. */
export interface NavLink {
  label: string;
  /** Sidebar group; links without one go in the top group. */
  section?: "Workspace" | "Admin";
  /** Smaller first; default 100. */
  order?: number;
  /** A short symbol (emoji or one character) shown before the label. */
  icon?: string;
}

/**
 * A page of the app. Add pages to `APP_ROUTES` (src/app/routes.tsx), or to the lists in
 * src/workspace/workspace-routes.tsx and src/admin/admin-routes.tsx that it includes.
 *
 * @example
 * const route: AppRoute = {
 *   path: "/workspace/functions/:id",
 *   title: "Edit function",
 *   render: ({ id }) => <FunctionEditorPage id={id!} />,
 *   access: "admin",
 * };
 */
export interface AppRoute {
  /** `/workspace/functions`, with `:name` parameters and an optional trailing `*`. The first match wins. */
  path: string;
  /** Shown in the top bar and the window title. */
  title: string;
  /** The page; receives the path's parameters. */
  render(params: Record<string, string>): ReactNode;
  /** Who may open it: any approved account (default) or admins only. Others get "not allowed". */
  access?: "verified" | "admin";
  /** A sidebar link to this page (paths without parameters only). */
  nav?: NavLink;
  /** Fills the whole main area without the padded page frame (the chat). */
  isFullBleed?: boolean;
}
