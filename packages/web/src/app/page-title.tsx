import { createContext, useContext, useEffect } from "react";

/** Lets a page replace its route's title in the top bar (e.g. the chat's own title). */
export const PageTitleContext = createContext<(title: string | null) => void>(() => {});

/**
 * Shows `title` in the top bar and the window title while the page is mounted.
 *
 * @example
 * usePageTitle(chat?.title ?? null);
 */
export function usePageTitle(title: string | null): void {
  const setTitle = useContext(PageTitleContext);
  useEffect(() => {
    setTitle(title);
    return () => setTitle(null);
  }, [title, setTitle]);
}
