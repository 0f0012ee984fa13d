import { useEffect, useState, type ReactNode } from "react";
import type { AppRoute, NavLink } from "./app-route.ts";
import { Link, usePathname } from "./router.tsx";
import { useAuth } from "../auth/auth-context.tsx";
import { ChatHistory } from "../chat/chat-history.tsx";
import { PageTitleContext } from "./page-title.tsx";
import { Icon } from "../ui/icon.tsx";
import { ThemeSwitch } from "../ui/theme-switch.tsx";
import { useNewChatShortcut } from "./use-new-chat-shortcut.ts";
import { UserAvatar } from "../account/user-avatar.tsx";
import { useUserLanguage } from "../account/preferences.ts";
import { useTranslate } from "../i18n/i18n.ts";

interface AppLayoutProps {
  title: string;
  routes: readonly AppRoute[];
  isFullBleed?: boolean;
  children: ReactNode;
}

const SECTIONS = [undefined, "Workspace", "Admin"] as const;

function linksOf(routes: readonly AppRoute[], isAdmin: boolean): Array<NavLink & { path: string }> {
  return routes
    .filter((route) => route.nav && (route.access !== "admin" || isAdmin))
    .map((route) => ({ ...route.nav!, path: route.path }))
    .sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
}

/**
 * The signed-in frame: a sidebar (new chat, chat history, workspace and admin links, the
 * account) and a top bar with the page title and the theme switch. Below 900 px the sidebar is
 * a drawer opened from the top bar's menu button. Ctrl+Shift+O opens a new chat.
 */
export function AppLayout({ title, routes, isFullBleed = false, children }: AppLayoutProps) {
  const { user, signOut } = useAuth();
  const t = useTranslate();
  const pathname = usePathname();
  const [isDrawerOpen, setIsDrawerOpen] = useState(false);
  const links = linksOf(routes, user?.role === "admin");
  const [pageTitle, setPageTitle] = useState<string | null>(null);
  const shownTitle = pageTitle ?? t(title);
  useUserLanguage(user?.id);

  useEffect(() => {
    document.title = shownTitle ? `${shownTitle} · Sluice` : "Sluice";
  }, [shownTitle]);
  // Following a link closes the drawer on phones.
  useEffect(() => setIsDrawerOpen(false), [pathname]);
  useNewChatShortcut();

  return (
    <div className={`app-shell${isDrawerOpen ? " is-drawer-open" : ""}`}>
      <a className="skip-link" href="#main">
        {t("Skip to content")}
      </a>
      <aside className="sidebar" aria-label={t("Sidebar")}>
        <div className="sidebar-header">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              ≋
            </span>
            Sluice
          </Link>
          <button type="button" className="icon-button sidebar-close" aria-label={t("Close menu")} onClick={() => setIsDrawerOpen(false)}>
            <Icon name="close" size={18} />
          </button>
        </div>
        <Link to="/" className="button button-primary new-chat-button">
          <Icon name="plus" /> {t("New chat")}
        </Link>
        <nav className="sidebar-nav" aria-label={t("Pages")}>
          {SECTIONS.map((section) => {
            const sectionLinks = links.filter((link) => link.section === section);
            if (sectionLinks.length === 0) return null;
            return (
              <div key={section ?? "main"} className="nav-section">
                {section && <h2 className="nav-section-title">{t(section)}</h2>}
                <ul>
                  {sectionLinks.map((link) => (
                    <li key={link.path}>
                      <Link
                        to={link.path}
                        className="nav-link"
                        aria-current={pathname === link.path || pathname.startsWith(`${link.path}/`) ? "page" : undefined}
                      >
                        {link.icon && (
                          <span className="nav-icon" aria-hidden="true">
                            {link.icon}
                          </span>
                        )}
                        {t(link.label)}
                      </Link>
                    </li>
                  ))}
                </ul>
              </div>
            );
          })}
        </nav>
        <ChatHistory />
        <div className="sidebar-footer">
          <Link
            to="/account"
            className="account"
            title={t("Account settings ({email})", { email: user?.email ?? "" })}
            aria-current={pathname === "/account" ? "page" : undefined}
          >
            <UserAvatar user={user} />
            <span className="account-text">
              <span className="account-name">{user?.name}</span>
              <span className="account-role">{user?.role ? t(user.role) : null}</span>
            </span>
          </Link>
          <button type="button" className="button button-quiet" onClick={signOut}>
            {t("Sign out")}
          </button>
        </div>
      </aside>
      <div className="drawer-backdrop" onClick={() => setIsDrawerOpen(false)} aria-hidden="true" />
      <div className="main-column">
        <header className="top-bar">
          <button
            type="button"
            className="icon-button menu-button"
            aria-label={t("Open menu")}
            aria-expanded={isDrawerOpen}
            onClick={() => setIsDrawerOpen(true)}
          >
            <Icon name="menu" size={20} />
          </button>
          <h1 className="top-bar-title">{shownTitle}</h1>
          <ThemeSwitch />
        </header>
        <main id="main" className={isFullBleed ? "main main-full" : "main main-page"} tabIndex={-1}>
          <PageTitleContext.Provider value={setPageTitle}>{children}</PageTitleContext.Provider>
        </main>
      </div>
    </div>
  );
}
