import crypto from 'node:crypto';
import { output, parse, UsageError, type Parsed } from './args.ts';

const HELP = `Usage:
  switchboard channel ACTION CONNECTION_ID [options] [--json]
      Provisions a connection's channel through a running Switchboard's public API
      (--url or SWITCHBOARD_URL, default http://localhost:3000; --api-key or SWITCHBOARD_API_KEY,
      a key with the connections:read / connections:write scopes). Sandbox connections simulate
      every action without credentials.

Actions:
  search CONNECTION_ID [--country US] [--area-code 415] [--contains DIGITS] [--sms] [--mms] [--limit N]
      Numbers available to buy.
  buy CONNECTION_ID NUMBER [--channel sms] [--idempotency-key KEY]
      Buys the number (E.164), points it at the connection and makes it a sender. The purchase
      carries an Idempotency-Key (printed; a new one unless given): rerun with the same key after
      a timeout and the number is not bought twice.
  numbers CONNECTION_ID
      The provider account's numbers and Messaging Services, with where each points.
  release CONNECTION_ID NUMBER --yes
      Releases the number at the provider (it cannot be recovered) and removes its sender.
  health CONNECTION_ID
      The wiring check. Exit code 0: ok; 1: degraded or failing (the problems are listed).
  fix CONNECTION_ID
      "Fix webhook URLs": re-points what points elsewhere, then the wiring check (exit code as health).
  registrations CONNECTION_ID
      Reads sender registration (A2P 10DLC) from the provider now.
  templates CONNECTION_ID [--sync]
      The message templates as last synced; --sync reads them from the provider first.
`;

const ACTIONS = ['search', 'buy', 'numbers', 'release', 'health', 'fix', 'registrations', 'templates'] as const;
type Action = (typeof ACTIONS)[number];

const COMMON = { json: { type: 'boolean' }, url: { type: 'string' }, 'api-key': { type: 'string' } } as const;
const OPTIONS: Record<Action, Record<string, { type: 'string' | 'boolean' }>> = {
  search: { country: { type: 'string' }, 'area-code': { type: 'string' }, contains: { type: 'string' }, sms: { type: 'boolean' }, mms: { type: 'boolean' }, limit: { type: 'string' } },
  buy: { channel: { type: 'string' }, 'idempotency-key': { type: 'string' } },
  numbers: {},
  release: { yes: { type: 'boolean' } },
  health: {},
  fix: {},
  registrations: {},
  templates: { sync: { type: 'boolean' } },
};
/** Positionals after the action: the connection id, and the number for buy / release. */
const POSITIONALS: Record<Action, string[]> = { search: ['CONNECTION_ID'], buy: ['CONNECTION_ID', 'NUMBER'], numbers: ['CONNECTION_ID'], release: ['CONNECTION_ID', 'NUMBER'], health: ['CONNECTION_ID'], fix: ['CONNECTION_ID'], registrations: ['CONNECTION_ID'], templates: ['CONNECTION_ID'] };

/** An API answer that is not 2xx: the API's error code and message, printed on stderr, exit code 1. */
class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

interface Api {
  call<T = any>(method: 'GET' | 'POST', path: string, body?: unknown, headers?: Record<string, string>): Promise<{ body: T; headers: Headers }>;
}

function client(p: Parsed): Api {
  const base = (typeof p.values.url === 'string' ? p.values.url : process.env.SWITCHBOARD_URL || 'http://localhost:3000').replace(/\/+$/, '');
  const key = typeof p.values['api-key'] === 'string' ? p.values['api-key'] : process.env.SWITCHBOARD_API_KEY;
  if (!key) throw new UsageError('An API key is required: --api-key KEY or SWITCHBOARD_API_KEY.', 'channel');
  return {
    async call(method, path, body, headers = {}) {
      let res: Response;
      try {
        res = await fetch(base + path, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(90_000),
        });
      } catch (err) {
        throw new ApiError(0, 'unreachable', `Cannot reach ${base}: ${(err as Error).cause ? String((err as { cause: Error }).cause.message ?? (err as { cause: unknown }).cause) : (err as Error).message}`);
      }
      const json = (await res.json().catch(() => ({}))) as any;
      if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? 'http_error', json?.error?.message ?? `HTTP ${res.status}`, json?.error?.details);
      return { body: json, headers: res.headers };
    },
  };
}

const conn = (id: string) => `/v1/connections/${encodeURIComponent(id)}`;

interface Health {
  status: string;
  connector: string;
  wiring: { kind: string; id: string; field?: string; ok: boolean; fixed?: boolean; actual?: string | null; expected?: string | null; message?: string }[] | null;
  problems: { code: string; message: string; severity: string }[];
  traffic: { outbound24h: number; failed24h: number; errorRate: number | null; lastInboundAt: string | null; lastOutboundAt: string | null };
}

function healthText(h: Health): string {
  const lines = [`status: ${h.status}`];
  for (const w of h.wiring ?? []) {
    const where = `${w.kind} ${w.id}${w.field ? ` ${w.field}` : ''}`;
    lines.push(`  ${w.fixed ? 'fixed' : w.ok ? 'ok   ' : 'WRONG'} ${where}${!w.ok && w.message ? `: ${w.message}` : !w.ok && w.expected ? `: points at ${w.actual ?? 'nothing'}` : ''}`);
  }
  const t = h.traffic;
  lines.push(`traffic: ${t.outbound24h} sent in 24 h, ${t.failed24h} failed; last inbound ${t.lastInboundAt ?? 'never'}, last outbound ${t.lastOutboundAt ?? 'never'}`);
  for (const p of h.problems) lines.push(`problem (${p.severity}): ${p.code}: ${p.message}`);
  return lines.join('\n');
}

async function act(action: Action, p: Parsed): Promise<number> {
  const [id, number] = p.positionals.slice(1);
  const json = !!p.values.json;
  const api = client(p);
  switch (action) {
    case 'search': {
      const q = new URLSearchParams();
      if (typeof p.values.country === 'string') q.set('country', p.values.country.toUpperCase());
      if (typeof p.values['area-code'] === 'string') q.set('areaCode', p.values['area-code']);
      if (typeof p.values.contains === 'string') q.set('contains', p.values.contains);
      if (p.values.sms) q.set('sms', 'true');
      if (p.values.mms) q.set('mms', 'true');
      if (typeof p.values.limit === 'string') q.set('limit', p.values.limit);
      const { body } = await api.call<{ data: { phoneNumber: string; locality: string | null; region: string | null; capabilities: Record<string, boolean> }[] }>('GET', `${conn(id!)}/numbers/available${q.size ? `?${q}` : ''}`);
      const caps = (c: Record<string, boolean>) => Object.keys(c).filter((k) => c[k]).join('/') || '-';
      output(json, body, body.data.length ? body.data.map((n) => `${n.phoneNumber}  ${[n.locality, n.region].filter(Boolean).join(', ') || '-'}  ${caps(n.capabilities)}`).join('\n') : 'No numbers available for that search.');
      return 0;
    }
    case 'buy': {
      const key = typeof p.values['idempotency-key'] === 'string' ? p.values['idempotency-key'] : crypto.randomUUID();
      const { body, headers } = await api.call('POST', `${conn(id!)}/numbers`, { phoneNumber: number, ...(typeof p.values.channel === 'string' ? { channel: p.values.channel } : {}) }, { 'idempotency-key': key });
      const replayed = headers.get('idempotent-replayed') === 'true';
      output(json, { ...body, idempotencyKey: key, replayed }, `${replayed ? 'Already bought (same Idempotency-Key)' : 'Bought'} ${body.phoneNumber}${body.sandbox ? ' (sandbox)' : ''}: provider id ${body.providerId}, sender ${body.sender?.id ?? '-'}, inbound URL ${body.inboundUrl ?? '-'}.\nIdempotency-Key: ${key}`);
      return 0;
    }
    case 'numbers': {
      const { body } = await api.call<{ numbers: { id: string; phoneNumber: string; inboundUrl?: string | null; qualityRating?: string | null }[]; services?: { id: string; name: string; inboundUrl: string | null }[] }>('GET', `${conn(id!)}/numbers`);
      const lines = body.numbers.map((n) => `${n.phoneNumber}  ${n.id}  ${n.inboundUrl ?? '-'}${n.qualityRating ? `  quality ${n.qualityRating}` : ''}`);
      for (const s of body.services ?? []) lines.push(`service ${s.id} "${s.name}"  ${s.inboundUrl ?? '-'}`);
      output(json, body, lines.length ? lines.join('\n') : 'No numbers.');
      return 0;
    }
    case 'release': {
      if (!p.values.yes) throw new UsageError(`Releasing ${number} cannot be undone (the number is given back to the provider): add --yes.`, 'channel');
      const { body } = await api.call('POST', `${conn(id!)}/numbers/release`, { phoneNumber: number });
      output(json, body, body.released ? `Released ${body.phoneNumber}; ${body.sendersRemoved} sender(s) removed.` : `${body.phoneNumber} was not in the provider account; ${body.sendersRemoved} sender(s) removed.`);
      return 0;
    }
    case 'health':
    case 'fix': {
      const { body } = action === 'fix' ? await api.call<Health>('POST', `${conn(id!)}/wiring/fix`, {}) : await api.call<Health>('GET', `${conn(id!)}/health`);
      output(json, body, healthText(body));
      return body.status === 'ok' ? 0 : 1;
    }
    case 'registrations': {
      const { body } = await api.call<{ senders?: { address: string; registrationStatus: string }[]; changed: { sender: { address: string; registrationStatus: string }; previous: string }[] }>('POST', `${conn(id!)}/registrations/sync`, {});
      const changed = body.changed ?? [];
      output(json, body, changed.length ? changed.map((c) => `${c.sender.address}: ${c.previous} → ${c.sender.registrationStatus}`).join('\n') : 'No registration changed.');
      return 0;
    }
    case 'templates': {
      const { body } = p.values.sync ? await api.call('POST', `${conn(id!)}/templates/sync`, {}) : await api.call('GET', `${conn(id!)}/templates`);
      const rows = (body.data as { name: string; language: string; status: string; category: string | null; variables: string[] }[]).map(
        (t) => `${t.name}:${t.language}  ${t.status}  ${t.category ?? '-'}  variables: ${t.variables.join(', ') || '-'}`,
      );
      output(json, body, (rows.join('\n') || 'No templates.') + (p.values.sync ? `\nSynced: ${body.changed} changed, ${body.removed} removed.` : ''));
      return 0;
    }
  }
}

export async function run(args: string[]): Promise<number> {
  const [action] = args;
  if (action === undefined || action === '--help' || action === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`Unknown action "${action}" (${ACTIONS.join(', ')}).`, 'channel');
  const a = action as Action;
  const p = parse('channel', args, { ...COMMON, ...OPTIONS[a] }, 1 + POSITIONALS[a].length);
  if (!p) {
    process.stdout.write(HELP);
    return 0;
  }
  const missing = POSITIONALS[a].slice(p.positionals.length - 1);
  if (missing.length) throw new UsageError(`${a} needs ${POSITIONALS[a].join(' ')} (missing ${missing.join(' ')}).`, 'channel');
  try {
    return await act(a, p);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const field = Array.isArray(err.details) ? (err.details as { field?: string }[]).map((d) => d.field).filter(Boolean).join(', ') : '';
    process.stderr.write(`switchboard channel ${a}: ${err.status ? `HTTP ${err.status} ` : ''}${err.code}: ${err.message}${field ? ` (${field})` : ''}\n`);
    return 1;
  }
}
