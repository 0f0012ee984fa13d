import type { AppRoute } from "../app/app-route.ts";
import { GroupsPage } from "./groups-page.tsx";
import { UsersPage } from "./users-page.tsx";
import { ConnectionsPage } from "./connections-page.tsx";

/** The admin pages (users), with their sidebar links. */
export const ADMIN_ROUTES: AppRoute[] = [
  {
    path: "/admin/users",
    title: "Users",
    render: () => <UsersPage />,
    access: "admin",
    nav: { label: "Users", section: "Admin", order: 10, icon: "☺" },
  },
  {
    path: "/admin/connections",
    title: "Connections",
    render: () => <ConnectionsPage />,
    access: "admin",
    nav: { label: "Connections", section: "Admin", order: 20, icon: "⇄" },
  },
  {
    path: "/admin/groups",
    title: "Groups",
    render: () => <GroupsPage />,
    access: "admin",
    nav: { label: "Groups", section: "Admin", order: 11, icon: "⚇" },
  },
];
