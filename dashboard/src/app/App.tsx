import { Suspense, useEffect, useRef } from 'react';
import { routes } from './routes.ts';
import { Link, matchPath, useLocation } from './router.tsx';
import { useSession } from './session.tsx';
import { Empty, Loading } from '../ui/states.tsx';
import { BrandMark, useBrandColors } from './brand.tsx';
import SetPassword from '../pages/SetPassword.tsx';

/** A user who came in through an invitation link chooses a password before anything else. */
export function Root() {
  return useSession().session.user.mustSetPassword ? <SetPassword /> : <App />;
}

/** The signed-in shell: navigation (only the screens the role can open), the org and the user, and the current screen. */
export function App() {
  const { session, can, signOut } = useSession();
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  let match: { entry: (typeof routes)[number]; params: Record<string, string> } | null = null;
  for (const entry of routes) {
    const params = matchPath(entry.path, path);
    if (params) {
      match = { entry, params };
      break;
    }
  }
  const section = (p: string) => (p === '/' ? path === '/' || path.startsWith('/inbox') : path.startsWith(p) || (p === '/connectors' && path.startsWith('/connections')));
  useEffect(() => {
    document.title = `${match?.entry.nav?.label ?? routes.find((r) => r.nav && section(r.path))?.nav?.label ?? brandName} · ${brandName}`;
  });
  const Screen = match?.entry.component;
  // White-label: a branded org (its own display name, logo or colour, or its platform's) shows its brand; others Switchboard's.
  const b = session.org.branding;
  const branded = !!b && (b.displayName !== session.org.name || !!b.logoUrl || !!b.colors?.primary);
  const brandName = branded ? b!.displayName : 'Switchboard';
  useBrandColors(branded ? b : null);
  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <BrandMark branding={branded ? b : null} />
          <div>
            <div className="brand-name">{brandName}</div>
            {brandName !== session.org.name && <div className="brand-org">{session.org.name}</div>}
          </div>
        </div>
        <nav aria-label="Main">
          <ul className="nav">
            {routes
              .filter((r) => r.nav && can(r.nav.scope))
              .map((r) => (
                <li key={r.path}>
                  <Link to={r.path} className={section(r.path) ? 'nav-link active' : 'nav-link'} aria-current={section(r.path) ? 'page' : undefined}>
                    {r.nav!.label}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        <div className="sidebar-user">
          <div className="user-email" title={session.user.email}>
            {session.user.name ?? session.user.email}
          </div>
          <div className="user-role">{session.user.role}</div>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" className="main" ref={main} tabIndex={-1}>
        <Suspense fallback={<Loading />}>{Screen ? <Screen params={match!.params} /> : <Empty title="No such page">Use the navigation on the left.</Empty>}</Suspense>
      </main>
    </div>
  );
}
