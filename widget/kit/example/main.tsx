import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ContactCard, ConversationList, ConversationView, SwitchboardClient, SwitchboardProvider, type Conversation } from '../index.ts';
import '../theme.css';
import './example.css';

/**
 * The UI kit's runnable example: a portal page showing the conversations its user may see. The
 * embed token comes in the URL fragment (#token=sbet_…), which never reaches a server log; a real
 * app fetches it from its own server (which calls POST /v1/embed-tokens with its API key).
 */
function tokenFromHash(): string | null {
  return new URLSearchParams(location.hash.slice(1)).get('token');
}

/**
 * Where the API is: this page's origin (served at /kit/), or #api=https://switchboard.example when
 * the page is copied onto an app's own origin (the embed token must then name that origin).
 */
function apiFromHash(): string | undefined {
  return new URLSearchParams(location.hash.slice(1)).get('api') ?? undefined;
}

function scopeOf(token: string): string {
  try {
    const claims = JSON.parse(atob(token.slice(5).split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/')));
    const pairs = Object.entries(claims.m ?? {}).map(([k, v]) => `${k} = ${String(v)}`);
    return pairs.length ? pairs.join(', ') : 'all conversations';
  } catch {
    return '';
  }
}

function App({ token }: { token: string }) {
  const client = useMemo(() => new SwitchboardClient({ token, apiBase: apiFromHash() }), [token]);
  const [selected, setSelected] = useState<Conversation | null>(null);
  return (
    <SwitchboardProvider client={client}>
      <div className="app sb-kit">
        <header className="topbar">
          <h1>Resident messages</h1>
          <span className="scope" data-testid="scope">{scopeOf(token)}</span>
        </header>
        <main className="layout">
          <div className="card">
            <h2 className="list-title">Conversations</h2>
            <ConversationList selectedId={selected?.id ?? null} onSelect={setSelected} />
          </div>
          <div className="card">
            <ConversationView conversationId={selected?.id ?? null} />
          </div>
          <aside className="card side">
            <h2>Contact</h2>
            <ContactCard contactId={selected?.contactId ?? null} />
          </aside>
        </main>
      </div>
    </SwitchboardProvider>
  );
}

function Setup() {
  return (
    <main className="setup sb-kit">
      <h1>Switchboard UI kit example</h1>
      <p>
        Mint an embed token on your server — <code>POST /v1/embed-tokens</code> with your API key, e.g.{' '}
        <code>{'{"scopes":["conversations:read","messages:read","messages:send","contacts:read","events:read"],"metadata":{"unit":"4B"}}'}</code> — then open
        this page as <code>/kit/#token=sbet_…</code>. On another origin (your app's), mint the token with{' '}
        <code>{'"origins":["https://your.app"]'}</code> and add <code>&amp;api=https://switchboard-host</code>.
      </p>
    </main>
  );
}

const token = tokenFromHash();
createRoot(document.getElementById('root')!).render(<StrictMode>{token ? <App token={token} /> : <Setup />}</StrictMode>);
