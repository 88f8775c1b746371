import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomFillSync, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { OrgCrypto } from '../../core/crypto/keyring.ts';
import type { Engine } from '../../core/engine.ts';

/**
 * A generated org for the read benchmark: conversations with their customer participant and
 * messages, written at database speed (COPY in production, multi-row INSERTs embedded), never
 * through the API. The rows are what the app writes: the org's id on every row (RLS), message
 * bodies sealed with the org's real data key under each message's own id (the associated data
 * binds a ciphertext to its row, so a ciphertext cannot be shared between rows; sealing is
 * ~2 µs a row), uuid v7 ids taken from each row's creation time.
 *
 * Shape: ~10 messages per conversation (most have 1–20, one in twenty is long: 50–130, so there
 * are full 50-message pages to read), creation times spread over the past year, channels, statuses
 * and a metadata.unit (building units "1A".."40J", on 80 % of conversations) mixed as an inbox of
 * a property manager might be. Contacts are referenced by id only (their PII rows are not
 * generated: no read measured here opens them).
 */
export const CHANNELS = [['sms', 0.55], ['whatsapp', 0.25], ['email', 0.12], ['chat', 0.08]] as const;
export const STATUSES = [['closed', 0.6], ['open', 0.3], ['snoozed', 0.1]] as const;
export const UNITS = Array.from({ length: 400 }, (_, i) => `${Math.floor(i / 10) + 1}${'ABCDEFGHIJ'[i % 10]}`);

const BODIES = [
  'Hi, the kitchen sink in my unit is leaking again. Can someone come by today?',
  'Thanks, the plumber is scheduled for tomorrow between 9 and 11.',
  'The heating is off on our floor since last night.',
  'We have reset the boiler; please tell us if it is still cold in an hour.',
  'Can I get a copy of my lease renewal?',
  'Sent to your email on file. Anything else?',
  'Package room code please',
  'The code is on the notice by the mailboxes; reply STOP to opt out.',
  'Is the gym open on Sunday?',
  'Yes, 6am to 10pm every day.',
  'Noise complaint: loud music upstairs after midnight.',
  'Sorry about that, we have contacted the resident.',
  'Rent payment went through twice this month 😕',
  'We have refunded the duplicate payment; it should show in 3–5 business days.',
  'ok thanks!',
  'Maintenance visit confirmed for Thursday.',
];

const pick = <T>(weighted: readonly (readonly [T, number])[]): T => {
  let r = Math.random();
  for (const [v, w] of weighted) if ((r -= w) < 0) return v;
  return weighted[0][0];
};
const exp = (mean: number) => -Math.log(1 - Math.random()) * mean;

export interface Generated {
  conversations: number;
  messages: number;
  /** Up to 2,000 conversations with more than 50 messages: the full pages the benchmark reads. */
  longConversations: string[];
}

interface Plan {
  ids: string[];
  starts: Float64Array;
  lens: Int32Array;
  /** (created-at seconds - base) × 2^24 + conversation index, sorted: every message in time order. */
  keys: Float64Array;
  /** Unix seconds of time 0 in the keys (a year and a day ago: keys stay below 2^53). */
  base: number;
}

/**
 * A uuid v7 (RFC 9562: 48-bit ms time, version, 74 random bits) like the app's ids. The uuid
 * package draws fresh randomness per call (~17 µs); ten million ids take random bits from a pool.
 */
const pool = Buffer.alloc(1 << 16);
let poolAt = pool.length;
function uuidv7(ms: number): string {
  if (poolAt + 10 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const b = Buffer.alloc(16);
  b.writeUIntBE(Math.floor(ms), 0, 6);
  pool.copy(b, 6, poolAt, (poolAt += 10));
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const YEAR_S = 365 * 24 * 3600;
const SHIFT = 2 ** 24;

/** Conversation lengths and message times, in memory (10 M messages: ~100 MB of typed arrays). */
function plan(messages: number): Plan {
  const nowS = Math.floor(Date.now() / 1000) - 60;
  const base = nowS - YEAR_S - 86_400;
  const lensList: number[] = [];
  for (let total = 0; total < messages; ) {
    const len = Math.min(messages - total, Math.random() < 0.05 ? 50 + Math.floor(Math.random() * 81) : 1 + Math.floor(exp(5)));
    lensList.push(len);
    total += len;
  }
  const n = lensList.length;
  if (n >= SHIFT) throw new Error('too many conversations for the time-key packing');
  const lens = Int32Array.from(lensList);
  const starts = new Float64Array(n);
  const keys = new Float64Array(messages);
  let k = 0;
  for (let c = 0; c < n; c++) {
    let t = nowS - Math.floor(Math.random() * YEAR_S);
    starts[c] = t;
    for (let i = 0; i < lens[c]; i++) {
      keys[k++] = (Math.min(t, nowS) - base) * SHIFT + c;
      t += 1 + Math.floor(exp(3600)); // replies within the hour, on average
    }
  }
  keys.sort();
  // Conversation ids in creation order (uuid v7 embeds the time), assigned by start.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => starts[a] - starts[b]);
  const ids = new Array<string>(n);
  for (const c of order) ids[c] = uuidv7(starts[c] * 1000);
  return { ids, starts, lens, keys, base };
}

/** Where rows go: COPY text lines (production) or row objects (embedded). */
export interface Sink {
  write(table: 'conversations' | 'participants' | 'messages', columns: string[], row: unknown[]): Promise<void>;
  end(): Promise<void>;
}

const MESSAGE_COLUMNS = ['id', 'org_id', 'conversation_id', 'direction', 'channel', 'contact_id', 'sender_address', 'body_enc', 'status', 'metadata', 'created_at', 'updated_at'];
const CONVERSATION_COLUMNS = ['id', 'org_id', 'channel', 'status', 'contact_id', 'sender_address', 'metadata', 'last_message_at', 'created_at', 'updated_at'];
const PARTICIPANT_COLUMNS = ['id', 'org_id', 'conversation_id', 'contact_id', 'role', 'channel', 'created_at'];

const senderOf = (channel: string) => (channel === 'email' ? 'support@example.com' : channel === 'chat' ? null : '+15550100');

export async function generate(orgId: string, crypto: OrgCrypto, messages: number, sink: Sink, say: (s: string) => void): Promise<Generated> {
  const p = plan(messages);
  const n = p.ids.length;
  const contacts = Array.from({ length: Math.max(1, Math.floor(n / 2)) }, () => randomUUID());
  const channel = new Array<string>(n);
  const contact = new Array<string>(n);
  const last = new Float64Array(n);
  for (const key of p.keys) last[key % SHIFT] = p.base + Math.floor(key / SHIFT);
  const iso = (s: number, ms = 0) => new Date(s * 1000 + ms).toISOString();
  const byStart = Array.from({ length: n }, (_, i) => i).sort((a, b) => p.starts[a] - p.starts[b]);
  for (const c of byStart) {
    channel[c] = pick(CHANNELS);
    contact[c] = contacts[Math.floor(Math.random() * contacts.length)];
    const metadata = Math.random() < 0.8 ? JSON.stringify({ unit: UNITS[Math.floor(Math.random() * UNITS.length)] }) : '{}';
    const created = iso(p.starts[c]);
    await sink.write('conversations', CONVERSATION_COLUMNS, [p.ids[c], orgId, channel[c], pick(STATUSES), contact[c], senderOf(channel[c]), metadata, iso(last[c]), created, iso(last[c])]);
  }
  for (const c of byStart) {
    await sink.write('participants', PARTICIPANT_COLUMNS, [uuidv7(p.starts[c] * 1000), orgId, p.ids[c], contact[c], 'customer', channel[c], iso(p.starts[c])]);
  }
  const seen = new Int32Array(n);
  let done = 0;
  for (const key of p.keys) {
    const c = key % SHIFT;
    const ms = Math.floor(Math.random() * 1000);
    const atS = p.base + Math.floor(key / SHIFT);
    const id = uuidv7(atS * 1000 + ms);
    const inbound = seen[c]++ === 0 || Math.random() < 0.5;
    const body = crypto.encrypt(id, 'body', BODIES[Math.floor(Math.random() * BODIES.length)]);
    const at = iso(atS, ms);
    await sink.write('messages', MESSAGE_COLUMNS, [id, orgId, p.ids[c], inbound ? 'inbound' : 'outbound', channel[c], contact[c], senderOf(channel[c]), body, inbound ? 'received' : 'delivered', '{}', at, at]);
    if (++done % 1_000_000 === 0) say(`  … ${done.toLocaleString('en')} messages`);
  }
  await sink.end();
  const long = p.ids.filter((_, c) => p.lens[c] > 50);
  return { conversations: n, messages, longConversations: long.sort(() => Math.random() - 0.5).slice(0, 2000) };
}

// ---- production: COPY through psql, secondary indexes rebuilt after the load ----

const copyValue = (v: unknown): string => {
  if (v === null || v === undefined) return '\\N';
  if (Buffer.isBuffer(v)) return `\\\\x${v.toString('hex')}`;
  return String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
};

/**
 * One psql COPY per table, fed in order (conversations, participants, messages), with
 * session_replication_role = replica so the foreign-key triggers do not look up each row (the
 * generator makes the references right). The backends are reniced: the machine is shared.
 */
export function copySink(url: string, owner: pg.Client): Sink {
  let current: { table: string; proc: ReturnType<typeof spawn>; buf: string[]; done: Promise<unknown> } | undefined;
  const flush = async () => {
    if (!current || !current.buf.length) return;
    const chunk = current.buf.join('');
    current.buf = [];
    if (!current.proc.stdin!.write(chunk)) await once(current.proc.stdin!, 'drain');
  };
  const close = async () => {
    if (!current) return;
    await flush();
    current.proc.stdin!.end();
    await current.done;
    current = undefined;
  };
  return {
    async write(table, columns, row) {
      if (current?.table !== table) {
        await close();
        const sql = `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
        const proc = spawn('psql', [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', 'SET session_replication_role = replica', '-c', sql], {
          stdio: ['pipe', 'ignore', 'pipe'],
          env: { ...process.env, PGAPPNAME: COPY_APP },
        });
        let err = '';
        proc.stderr!.on('data', (d) => (err += d));
        const done = new Promise((resolve, reject) => proc.on('close', (code) => (code === 0 ? resolve(code) : reject(new Error(`COPY ${table} failed: ${err}`)))));
        current = { table, proc, buf: [], done };
        setTimeout(() => void niceBackends(owner, COPY_APP), 500);
      }
      current!.buf.push(row.map(copyValue).join('\t') + '\n');
      if (current!.buf.length >= 2000) await flush();
    },
    end: close,
  };
}

const TABLES = ['conversations', 'participants', 'messages'];

/** Drops the secondary indexes of the generated tables (primary keys stay); returns how to rebuild them. */
export async function dropSecondaryIndexes(owner: pg.Client): Promise<string[]> {
  const { rows } = await owner.query(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
      WHERE i.indrelid = ANY($1::regclass[]) AND c.oid IS NULL`,
    [TABLES],
  );
  for (const r of rows) await owner.query(`DROP INDEX ${r.name}`);
  return rows.map((r) => r.def);
}

/** Rebuilds them (one sort each: far faster than maintaining them row by row), then VACUUM ANALYZE. */
export async function rebuildIndexes(owner: pg.Client, defs: string[], say: (s: string) => void): Promise<void> {
  await owner.query(`SET maintenance_work_mem = '512MB'`);
  for (const def of defs) {
    const t = Date.now();
    await owner.query(def);
    say(`  ${def.replace(/^CREATE (UNIQUE )?INDEX (\S+) .*$/, '$2')}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  for (const t of TABLES) await owner.query(`VACUUM ANALYZE ${t}`);
}

const COPY_APP = 'sb_bench_read_copy';

/** Renices the backends of an application name, or this client's own (root can; otherwise they run at normal priority). */
export async function niceBackends(owner: pg.Client, appName?: string): Promise<void> {
  const { rows } = appName
    ? await owner.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [appName])
    : await owner.query('SELECT pg_backend_pid() AS pid');
  for (const r of rows) await new Promise((resolve) => spawn('renice', ['-n', '10', '-p', String(r.pid)], { stdio: 'ignore' }).on('close', resolve).on('error', resolve));
}

// ---- embedded: batched INSERTs through the tenant transaction (PGlite has one session) ----

export function insertSink(engine: Engine, orgId: string): Sink {
  let table = '';
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const rows = batch;
    batch = [];
    await engine.tenant(orgId, (tx) => tx.trx(table).insert(rows));
  };
  return {
    async write(t, columns, row) {
      if (t !== table) {
        await flush();
        table = t;
      }
      batch.push(Object.fromEntries(columns.map((c, i) => [c, row[i]])));
      if (batch.length >= 500) await flush();
    },
    end: flush,
  };
}
