import type { AppRoute } from "../app/app-route.ts";
import { AccountPage } from "./account-page.tsx";

/** The signed-in user's own settings, opened from the account in the sidebar. */
export const ACCOUNT_ROUTES: AppRoute[] = [{ path: "/account", title: "Account", render: () => <AccountPage /> }];
