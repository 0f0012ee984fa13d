import { AuthProvider, useAuth } from "../auth/auth-context.tsx";
import { AccountsPage } from "../auth/accounts-page.tsx";
import { PendingPage } from "../auth/pending-page.tsx";
import { SocketProvider } from "../realtime/socket-provider.tsx";
import { PluginEventHost } from "../chat/plugin-event-host.tsx";
import { ToastProvider } from "../ui/toasts.tsx";
import { Spinner } from "../ui/spinner.tsx";
import { AppLayout } from "./app-layout.tsx";
import type { AppRoute } from "./app-route.ts";
import { Link, usePathname } from "./router.tsx";
import { APP_ROUTES, findRoute } from "./routes.tsx";

/** The whole web app: providers, then the page for the account's state and the path. */
export function App({ routes = APP_ROUTES }: { routes?: readonly AppRoute[] }) {
  return (
    <ToastProvider>
      <AuthProvider>
        <SignedInGate routes={routes} />
      </AuthProvider>
    </ToastProvider>
  );
}

function SignedInGate({ routes }: { routes: readonly AppRoute[] }) {
  const { status, user, token } = useAuth();
  if (status === "loading") {
    return (
      <div className="accounts-page">
        <Spinner label="Loading" size="large" />
      </div>
    );
  }
  if (status === "signed-out" || !user) return <AccountsPage />;
  if (user.role === "pending") return <PendingPage />;
  return (
    <SocketProvider token={token}>
      <RoutedPage routes={routes} isAdmin={user.role === "admin"} />
      <PluginEventHost />
    </SocketProvider>
  );
}

function RoutedPage({ routes, isAdmin }: { routes: readonly AppRoute[]; isAdmin: boolean }) {
  const pathname = usePathname();
  const match = findRoute(pathname, routes);
  if (!match) {
    return (
      <AppLayout title="Not found" routes={routes}>
        <div className="empty-state">
          <h2>This page does not exist</h2>
          <p>
            <Link to="/">Start a new chat</Link> instead.
          </p>
        </div>
      </AppLayout>
    );
  }
  const { route, params } = match;
  if (route.access === "admin" && !isAdmin) {
    return (
      <AppLayout title={route.title} routes={routes}>
        <div className="empty-state">
          <h2>Admins only</h2>
          <p>Ask an admin of this server if you need this page.</p>
        </div>
      </AppLayout>
    );
  }
  return (
    <AppLayout title={route.title} routes={routes} isFullBleed={route.isFullBleed}>
      {route.render(params)}
    </AppLayout>
  );
}
