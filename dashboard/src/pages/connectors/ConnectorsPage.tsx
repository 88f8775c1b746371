import type { Connector } from '../../api/types.ts';
import { Link } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { Badge, Empty, PageHeader, QueryView, relativeTime } from '../../ui/states.tsx';
import { KIND_LABELS, statusTone, useCatalog, useConnections } from './queries.ts';
import './connectors.css';

/** The org's connections, then the catalog of connectors to install (install needs connections:write). */
export default function ConnectorsPage() {
  const catalog = useCatalog();
  const connections = useConnections();
  const names = new Map((catalog.data ?? []).map((c) => [c.id, c.displayName]));
  return (
    <>
      <PageHeader title="Connectors" subtitle="Channels, CRMs and vertical systems this org is wired to, and the ones it can add." />
      <section className="card" aria-labelledby="installed-title">
        <h2 id="installed-title">Installed connections</h2>
        <QueryView query={connections} errorTitle="Could not load connections" loadingLabel="Loading connections…" empty={<Empty title="Nothing installed yet">Install a connector from the catalog below.</Empty>}>
          {(data) => (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Connector</th>
                  <th scope="col">Status</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Installed</th>
                </tr>
              </thead>
              <tbody>
                {data.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link to={`/connections/${c.id}`}>{c.name}</Link>
                    </td>
                    <td>
                      {names.get(c.connector) ?? c.connector} <span className="muted small">v{c.version ?? `${c.major}.x`}</span>
                    </td>
                    <td>
                      <Badge tone={statusTone(c.status)}>{c.status}</Badge>
                    </td>
                    <td>{c.sandbox ? <Badge tone="warn">sandbox</Badge> : <Badge tone="info">live</Badge>}</td>
                    <td className="muted">{relativeTime(c.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </QueryView>
      </section>
      <section className="catalog" aria-labelledby="catalog-title">
        <h2 id="catalog-title">Catalog</h2>
        <QueryView query={catalog} errorTitle="Could not load the catalog" loadingLabel="Loading the catalog…">
          {(data) => (
              <ul className="grid grid-cards catalog-grid">
                {data.map((c) => (
                  <CatalogCard key={c.id} c={c} />
                ))}
              </ul>
          )}
        </QueryView>
      </section>
    </>
  );
}

function CatalogCard({ c }: { c: Connector }) {
  const { can } = useSession();
  const v = c.versions[0]!;
  return (
    <li className="card catalog-card">
      <div className="catalog-card-head">
        <h3>{c.displayName}</h3>
        <span className="muted small">v{v.version}</span>
      </div>
      <div className="tags">
        <Badge tone="info">{KIND_LABELS[c.kind] ?? c.kind}</Badge>
        {v.channels.map((ch) => (
          <Badge key={ch}>{ch}</Badge>
        ))}
        {v.baaEligible && <Badge tone="good">BAA eligible</Badge>}
      </div>
      {c.description && <p className="catalog-desc">{c.description}</p>}
      <p className="muted small catalog-caps">{v.capabilities.join(' · ')}</p>
      {can('connections:write') && (
        <Link to={`/connectors/install/${c.id}`} className="btn btn-small catalog-install" aria-label={`Install ${c.displayName}`}>
          Install
        </Link>
      )}
    </li>
  );
}
