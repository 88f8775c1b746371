import { createContext, useContext, useEffect, useMemo, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

/**
 * A small history router: the dashboard's screens are a flat table of path patterns
 * (app/routes.ts), so a path matcher and <Link> are all it needs. Search params carry filters, so
 * a filtered inbox is a link that can be shared and survives a reload.
 */
interface Location {
  path: string;
  search: URLSearchParams;
}

const read = (): Location => ({ path: window.location.pathname, search: new URLSearchParams(window.location.search) });
const RouterContext = createContext<Location>(read());
const NAVIGATED = 'switchboard:navigated';

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (to === window.location.pathname + window.location.search) return;
  window.history[opts.replace ? 'replaceState' : 'pushState'](null, '', to);
  window.dispatchEvent(new Event(NAVIGATED));
}

export function RouterProvider({ children }: { children: ReactNode }) {
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const update = () => setLoc(read());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return <RouterContext.Provider value={loc}>{children}</RouterContext.Provider>;
}

export const useLocation = () => useContext(RouterContext);

/** Updates search params in place (replace: filters do not flood the history). */
export function useSearchParam(name: string): [string, (v: string) => void] {
  const { path, search } = useLocation();
  const value = search.get(name) ?? '';
  const set = (v: string) => {
    const next = new URLSearchParams(search);
    if (v) next.set(name, v);
    else next.delete(name);
    const q = next.toString();
    navigate(q ? `${path}?${q}` : path, { replace: true });
  };
  return [value, set];
}

/** "/connectors/:id" against "/connectors/abc" → {id:"abc"}; null when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(':')) params[p[i]!.slice(1)] = decodeURIComponent(s[i]!);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

export function useMatch(pattern: string) {
  const { path } = useLocation();
  return useMemo(() => matchPath(pattern, path), [pattern, path]);
}

export function Link({ to, children, onClick, ...rest }: { to: string; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={click} {...rest}>
      {children}
    </a>
  );
}
