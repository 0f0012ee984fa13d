import type { AppRoute } from "../app/app-route.ts";
import { UsersPage } from "./users-page.tsx";

/** The admin pages (users), with their sidebar links. */
export const ADMIN_ROUTES: AppRoute[] = [
  {
    path: "/admin/users",
    title: "Users",
    render: () => <UsersPage />,
    access: "admin",
    nav: { label: "Users", section: "Admin", order: 10, icon: "☺" },
  },
];
