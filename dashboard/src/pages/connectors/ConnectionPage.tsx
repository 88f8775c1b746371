import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { del, get, post } from '../../api/client.ts';
import type { Connection } from '../../api/types.ts';
import { Link, navigate, useLocation } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { Badge, ErrorNotice, formatTime, Loading, PageHeader } from '../../ui/states.tsx';
import { ConfirmButton } from '../../ui/confirm.tsx';
import { connectorKeys, statusTone, useCatalog, useConnection } from './queries.ts';
import { ActivityCard } from './ActivityCard.tsx';
import { SendersCard } from './SendersCard.tsx';
import { ArchiveCard } from './ArchiveCard.tsx';
import { UpgradeCard } from './UpgradeCard.tsx';
import { ProvisioningCards } from './ProvisioningCards.tsx';
import './connectors.css';

/**
 * One connection: the inbound URL to give the provider (with where it goes), status, settings
 * (secrets only by name: they are write-only), and the actions its role allows — test the
 * credentials, authorize (OAuth connectors), disable.
 */
const PASTE_HINTS: Record<string, string> = {
  twilio: 'Set on connect for the connection’s numbers and Messaging Service (Webhook wiring below re-points them). By hand: Twilio Console → Phone Numbers → your number → Messaging → “A message comes in” (HTTP POST).',
  sendgrid: 'Inbound Parse and the signed Event Webhook are set on connect (Webhook wiring below re-points them). By hand: SendGrid → Settings → Inbound Parse, and Mail Settings → Event Webhook.',
  whatsapp: 'The app is subscribed to the WhatsApp Business Account with this URL on connect (needs the WABA id). By hand: Meta App Dashboard → WhatsApp → Configuration → Callback URL.',
  sinch: 'Sinch has no API for it: paste it once into the Sinch dashboard → SMS → Service APIs → your service plan → Callback URLs.',
};

export default function ConnectionPage({ params }: { params: Record<string, string> }) {
  const q = useConnection(params.id!);
  if (q.isPending) return <Loading label="Loading the connection…" />;
  if (q.isError) return <ErrorNotice error={q.error} title="Could not load this connection" retry={() => void q.refetch()} />;
  return <ConnectionView c={q.data} />;
}

function ConnectionView({ c }: { c: Connection }) {
  const { can } = useSession();
  const catalog = useCatalog();
  const connector = catalog.data?.find((x) => x.id === c.connector);
  const writable = can('connections:write') && c.status !== 'disabled';
  return (
    <>
      <PageHeader
        title={c.name}
        subtitle={
          <>
            {connector?.displayName ?? c.connector} v{c.version ?? `${c.major}.x`} · installed {formatTime(c.createdAt)}
          </>
        }
        actions={<Link to="/connectors" className="btn">All connectors</Link>}
      />
      <div className="tags connection-badges">
        <Badge tone={statusTone(c.status)}>{c.status}</Badge>
        {c.sandbox ? <Badge tone="warn">sandbox</Badge> : <Badge tone="info">live</Badge>}
      </div>
      {c.statusReason && <div className="notice notice-warn">{c.statusReason}</div>}
      <OAuthOutcome provider={connector?.displayName ?? c.connector} />
      <section className="card" aria-labelledby="inbound-title">
        <h2 id="inbound-title">Inbound URL</h2>
        <p className="muted">Give this URL to the provider: messages and delivery statuses come in through it, checked against the provider's signature.</p>
        <CopyField value={c.inboundUrl} label="Inbound URL to copy" />
        <p className="small connection-hint">{PASTE_HINTS[c.connector] ?? 'Paste it where the provider asks for a webhook or callback URL.'}</p>
      </section>
      <section className="card" aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        <dl className="kv">
          {Object.entries(c.config).map(([k, v]) => (
            <div className="kv-row" key={k}>
              <dt>{connector?.versions[0]?.configSchema.properties?.[k]?.title ?? k}</dt>
              <dd className="mono">{Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
            </div>
          ))}
          {c.secretFields.map((k) => (
            <div className="kv-row" key={k}>
              <dt>{connector?.versions[0]?.secretsSchema.properties?.[k]?.title ?? k}</dt>
              <dd>
                <Badge tone="good">set</Badge> <span className="muted small">write-only</span>
              </dd>
            </div>
          ))}
        </dl>
      </section>
      {c.status !== 'disabled' && <ProvisioningCards c={c} writable={writable} />}
      <ActivityCard id={c.id} />
      <SendersCard id={c.id} />
      <ArchiveCard id={c.id} writable={writable} />
      <UpgradeCard c={c} writable={writable} />
      {writable && <Actions c={c} oauth={!!connector?.versions[0]?.oauth} />}
    </>
  );
}

/**
 * "Connect" sends the browser to the provider; the callback sends it back here with
 * `?oauth=authorized|denied|failed` (and `error=<code>`). Said once; dismissing clears the URL.
 */
function OAuthOutcome({ provider }: { provider: string }) {
  const { path, search } = useLocation();
  const oauth = search.get('oauth');
  const error = search.get('error');
  if (!oauth) return null;
  const dismiss = () => navigate(path, { replace: true });
  const ok = oauth === 'authorized';
  return (
    <div role="status" aria-label="Authorization" className={ok ? 'notice notice-good' : 'notice notice-error'}>
      <p className="notice-title">{ok ? `Connected: ${provider} granted access` : oauth === 'denied' ? `${provider} access was not granted` : `The ${provider} authorization failed`}</p>
      {!ok && <p>{error ? <code>{error}</code> : null} Connect again to retry.</p>}
      <button type="button" className="btn btn-small" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}

function CopyField({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(value).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <div className="copy-field">
      <input className="copy-value mono" readOnly value={value} aria-label={label} onFocus={(e) => e.currentTarget.select()} />
      <button type="button" className="btn btn-small" onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

function Actions({ c, oauth }: { c: Connection; oauth: boolean }) {
  const qc = useQueryClient();
  const test = useMutation({ mutationFn: () => post<{ ok: boolean; sandbox: boolean; message: string }>(`/v1/connections/${c.id}/test`, {}) });
  const authorize = useMutation({
    // returnTo: the callback brings the browser back to this page (the API refuses other origins).
    mutationFn: () => get<{ url: string }>(`/v1/connections/${c.id}/oauth/authorize`, { returnTo: `/connections/${c.id}` }),
    onSuccess: (r) => window.location.assign(r.url),
  });
  const disable = useMutation({
    mutationFn: () => del<Connection>(`/v1/connections/${c.id}`),
    onSuccess: (updated) => {
      qc.setQueryData(connectorKeys.connection(c.id), updated);
      void qc.invalidateQueries({ queryKey: connectorKeys.connections });
    },
  });
  return (
    <section className="card" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      <div className="connection-actions">
        {oauth && (
          <button type="button" className="btn btn-primary" disabled={authorize.isPending} onClick={() => authorize.mutate()}>
            Connect
          </button>
        )}
        <button type="button" className="btn" disabled={test.isPending} onClick={() => test.mutate()}>
          {test.isPending ? 'Testing…' : 'Test'}
        </button>
        <ConfirmButton title="Disable this connection?" message="Its inbound URL will answer 404 and nothing is sent through it." confirmLabel="Disable connection" disabled={disable.isPending} onConfirm={() => disable.mutate()}>
          Disable…
        </ConfirmButton>
      </div>
      <div role="status" aria-live="polite">
        {test.data && (
          <div className={test.data.ok ? 'notice notice-good' : 'notice notice-error'}>
            <p className="notice-title">{test.data.ok ? 'The credentials work' : 'The test failed'}</p>
            <p>{test.data.message}</p>
          </div>
        )}
      </div>
      {test.isError && <ErrorNotice error={test.error} title="The test failed" />}
      {authorize.isError && <ErrorNotice error={authorize.error} title="Could not start the authorization" />}
      {disable.isError && <ErrorNotice error={disable.error} title="Not disabled" />}
    </section>
  );
}
