import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../api/client.ts';
import type { Connection, UpgradeOption } from '../../api/types.ts';
import { ErrorNotice, QueryView } from '../../ui/states.tsx';
import { ConfirmButton } from '../../ui/confirm.tsx';
import { connectorKeys } from './queries.ts';

/** The CHANGELOG entry as the connector wrote it: plain text in a <pre>, never HTML. */
const Changelog = ({ text, label }: { text: string | null; label: string }) =>
  text ? (
    <pre className="changelog" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  ) : (
    <p className="muted small">The connector ships no CHANGELOG entry for this version.</p>
  );

/**
 * Upgrades are explicit: a connection pins a major (releases within it apply by themselves); a
 * newer major is offered with its CHANGELOG entry and moves only when the admin confirms it.
 */
export function UpgradeCard({ c, writable }: { c: Connection; writable: boolean }) {
  const qc = useQueryClient();
  const options = useQuery({ queryKey: connectorKeys.upgradeOptions(c.id), queryFn: ({ signal }) => get<{ current: UpgradeOption | null; options: UpgradeOption[] }>(`/v1/connections/${c.id}/upgrade-options`, undefined, signal) });
  const upgrade = useMutation({
    mutationFn: (version: string) => post<Connection>(`/v1/connections/${c.id}/upgrade`, { version }),
    onSuccess: (updated) => {
      qc.setQueryData(connectorKeys.connection(c.id), updated);
      void qc.invalidateQueries({ queryKey: ['connections', c.id] });
    },
  });
  return (
    <section className="card" aria-labelledby="upgrade-title">
      <h2 id="upgrade-title">Version</h2>
      <QueryView query={options} errorTitle="The versions could not be loaded">
        {(o) => (
          <>
            {o.current && (
              <details>
                <summary>
                  Running {c.connector} {o.current.version} (major {o.current.major} pinned)
                </summary>
                <Changelog text={o.current.changelog} label={`Changes in ${o.current.version}`} />
              </details>
            )}
            {o.options.length === 0 && <p className="muted">This is the newest major installed.</p>}
            {o.options.map((opt) => (
              <div key={opt.version} className="upgrade-option">
                <h3>Upgrade available: {opt.version}</h3>
                <Changelog text={opt.changelog} label={`Changes in ${opt.version}`} />
                {writable && (
                  <ConfirmButton
                    className="btn btn-primary"
                    title={`Upgrade to ${c.connector} ${opt.version}?`}
                    message="The config is migrated to the new major and checked against its schemas; nothing changes if it does not fit. Connections only move forward."
                    confirmLabel={`Upgrade to ${opt.version}`}
                    disabled={upgrade.isPending}
                    onConfirm={() => upgrade.mutate(opt.version)}
                  >
                    Upgrade to {opt.version}…
                  </ConfirmButton>
                )}
              </div>
            ))}
            {upgrade.isError && <ErrorNotice error={upgrade.error} title="Not upgraded" />}
            {upgrade.isSuccess && (
              <p role="status" className="notice notice-good">
                Upgraded to {upgrade.data.version}.
              </p>
            )}
          </>
        )}
      </QueryView>
    </section>
  );
}
