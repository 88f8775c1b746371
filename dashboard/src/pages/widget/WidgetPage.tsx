import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, patch, post } from '../../api/client.ts';
import { Empty, ErrorNotice, Loading, PageHeader } from '../../ui/states.tsx';
import '../admin.css';

/**
 * The chat widget's configurator: for a web chat connection, the origins allowed to embed it, the
 * publishable key to work on (any live one), its theme (stored on the key: the widget reads it at
 * each session, so the snippet never changes), and its one-line snippet pinned to the current
 * build with its SRI hash (/widget/manifest.json). Publishable keys are public (they sit in every
 * page that embeds the chat, like Stripe's pk_live_), so the API lists them whole and any key's
 * snippet can be shown again; keys made before that (key: null) need a new key for a snippet.
 */
interface Connection { id: string; connector: string; name: string; config: { allowedOrigins?: string[] } }
interface PublishableKey { id: string; prefix: string; key: string | null; widgetOptions: WidgetOptions; createdAt: string; revokedAt: string | null }
interface WidgetOptions { brandColor?: string; title?: string; greeting?: string; position?: 'bottom-right' | 'bottom-left' }
interface Manifest { path: string; integrity: string; gzipBytes: number }

export function snippetFor(origin: string, m: Manifest, key: string): string {
  return `<script src="${origin}${m.path}" integrity="${m.integrity}" crossorigin="anonymous" data-key="${key}" async></script>`;
}

export default function WidgetPage() {
  const connections = useQuery({ queryKey: ['connections', 'webchat'], queryFn: () => get<{ data: Connection[] }>('/v1/connections', { connector: 'webchat' }) });
  const chats = connections.data?.data.filter((c) => c.connector === 'webchat') ?? [];
  return (
    <>
      <PageHeader title="Chat widget" subtitle="Where your chat may be embedded, how it looks, and the one line to paste into your site." />
      {connections.isLoading && <Loading />}
      {connections.error && <ErrorNotice error={connections.error} retry={() => void connections.refetch()} />}
      {connections.data && !chats.length && <Empty title="No web chat connection">Install the Web chat connector first (Connectors).</Empty>}
      {chats.map((c) => <WidgetConfigurator key={c.id} connection={c} />)}
    </>
  );
}

function WidgetConfigurator({ connection }: { connection: Connection }) {
  const qc = useQueryClient();
  const keysKey = ['publishable-keys', connection.id];
  const keys = useQuery({ queryKey: keysKey, queryFn: () => get<{ data: PublishableKey[] }>(`/v1/connections/${connection.id}/publishable-keys`) });
  const manifest = useQuery({ queryKey: ['widget-manifest'], queryFn: () => fetch('/widget/manifest.json').then((r) => (r.ok ? (r.json() as Promise<Manifest>) : null)) });
  const [origins, setOrigins] = useState((connection.config.allowedOrigins ?? []).join('\n'));
  const saveOrigins = useMutation({
    mutationFn: () => patch<Connection>(`/v1/connections/${connection.id}`, { config: { ...connection.config, allowedOrigins: origins.split(/\s+/).filter(Boolean) } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['connections', 'webchat'] }),
  });
  const live = keys.data?.data.filter((k) => !k.revokedAt) ?? [];
  const [chosen, setChosen] = useState<string | null>(null);
  const key = live.find((k) => k.id === chosen) ?? live[0] ?? null;
  const createKey = useMutation({
    mutationFn: () => post<PublishableKey>(`/v1/connections/${connection.id}/publishable-keys`, { widgetOptions: key?.widgetOptions ?? {} }),
    onSuccess: async (k) => {
      await qc.invalidateQueries({ queryKey: keysKey });
      setChosen(k.id);
    },
  });
  const id = connection.id;
  return (
    <section className="card" aria-labelledby={`widget-${id}`}>
      <h2 id={`widget-${id}`}>{connection.name}</h2>
      <form onSubmit={(e: FormEvent) => (e.preventDefault(), saveOrigins.mutate())}>
        <label className="field">
          <span>Allowed origins (one per line)</span>
          <textarea value={origins} rows={3} onChange={(e) => setOrigins(e.target.value)} placeholder="https://www.example.com" />
        </label>
        {saveOrigins.error && <ErrorNotice error={saveOrigins.error} title="Origins not saved" />}
        <button type="submit" className="btn" disabled={saveOrigins.isPending}>Save origins</button>
        {saveOrigins.isSuccess && <span role="status"> Origins saved.</span>}
      </form>
      {keys.isLoading && <Loading />}
      {keys.error && <ErrorNotice error={keys.error} />}
      <div className="form-row">
        {live.length > 0 && (
          <label className="field">
            <span>Publishable key</span>
            <select value={key?.id ?? ''} onChange={(e) => setChosen(e.target.value)}>
              {live.map((k) => (
                <option key={k.id} value={k.id}>{k.prefix}… (created {new Date(k.createdAt).toLocaleDateString()})</option>
              ))}
            </select>
          </label>
        )}
        <button type="button" className="btn btn-primary" onClick={() => createKey.mutate()} disabled={createKey.isPending}>Create a publishable key</button>
      </div>
      {keys.data && !live.length && <p>No publishable key yet: create one to get the snippet.</p>}
      {createKey.error && <ErrorNotice error={createKey.error} title="Key not created" />}
      {key && <ThemeForm key={key.id} connectionId={connection.id} pk={key} onSaved={() => qc.invalidateQueries({ queryKey: keysKey })} />}
      {key && <h3>Snippet of {key.prefix}…</h3>}
      {key?.key && manifest.data && <Snippet text={snippetFor(location.origin, manifest.data, key.key)} gzipBytes={manifest.data.gzipBytes} />}
      {key && !key.key && <p>This key was created before Switchboard kept publishable keys, so its snippet cannot be shown: create a new key (and revoke this one once the page uses the new one).</p>}
      {manifest.data === null && <p role="alert">The widget is not built on this server (npm run build:widget).</p>}
    </section>
  );
}

function ThemeForm({ connectionId, pk, onSaved }: { connectionId: string; pk: PublishableKey; onSaved: () => void }) {
  // Keyed by the key's id (a fresh form per key): what it shows is that key's stored options.
  const [o, setO] = useState<WidgetOptions>(pk.widgetOptions);
  const save = useMutation({ mutationFn: () => patch<PublishableKey>(`/v1/connections/${connectionId}/publishable-keys/${pk.id}`, { widgetOptions: { ...pk.widgetOptions, ...o } }), onSuccess: onSaved });
  const set = (k: keyof WidgetOptions) => (e: { target: { value: string } }) => setO({ ...o, [k]: e.target.value || undefined });
  return (
    <form onSubmit={(e: FormEvent) => (e.preventDefault(), save.mutate())} aria-label={`Theme of ${pk.prefix}…`}>
      <h3>Theme of {pk.prefix}…</h3>
      <div className="form-row">
        <label className="field">
          <span>Brand colour</span>
          <input type="color" value={o.brandColor ?? '#2251cc'} onChange={set('brandColor')} />
        </label>
        <label className="field grow">
          <span>Title</span>
          <input value={o.title ?? ''} onChange={set('title')} placeholder="Chat with us" />
        </label>
        <label className="field grow">
          <span>Greeting</span>
          <input value={o.greeting ?? ''} onChange={set('greeting')} />
        </label>
        <label className="field">
          <span>Position</span>
          <select value={o.position ?? 'bottom-right'} onChange={set('position')}>
            <option value="bottom-right">Bottom right</option>
            <option value="bottom-left">Bottom left</option>
          </select>
        </label>
      </div>
      {save.error && <ErrorNotice error={save.error} title="Theme not saved" />}
      <button type="submit" className="btn" disabled={save.isPending}>Save theme</button>
      {save.isSuccess && <span role="status"> Theme saved: pages pick it up at their next visit.</span>}
    </form>
  );
}

function Snippet({ text, gzipBytes }: { text: string; gzipBytes: number }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="snippet">
      <label className="field">
        <span>Paste before &lt;/body&gt; ({(gzipBytes / 1024).toFixed(1)} KB gzipped, pinned with Subresource Integrity)</span>
        <textarea readOnly value={text} rows={3} data-testid="widget-snippet" />
      </label>
      <button type="button" className="btn" onClick={() => void navigator.clipboard.writeText(text).then(() => setCopied(true))}>Copy snippet</button>
      {copied && <span role="status"> Copied.</span>}
    </div>
  );
}
