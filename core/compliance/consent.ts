import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../db/tenant.ts';
import { invalid } from '../errors.ts';
import { normalizeHandle, type HandleInput } from '../identity/handles.ts';
import { applyPage, decodePageCursor, pageKeyColumn, pageOf, type Page } from '../identity/pagination.ts';

/**
 * The consent ledger (migrations/main/20261127100000_consent.ts): append-only, one row per
 * decision. A handle is keyed by its blind index; WhatsApp ids are phone numbers, so phone and
 * whatsapp handles share the phone key — a STOP sent by SMS and a number texted on WhatsApp are
 * still told apart by channel. 'sms' covers mms. Evidence holds ids and facts, never a handle value.
 */
export const PURPOSES = ['transactional', 'marketing'] as const;
export type Purpose = (typeof PURPOSES)[number];
export const CONSENT_STATUSES = ['opted_in', 'opted_out'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];
export const CONSENT_SOURCES = ['keyword', 'api', 'form', 'import', 'provider'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/** The ledger channel of a message channel. */
export const consentChannel = (channel: string): string => (channel === 'mms' ? 'sms' : channel);

export interface ConsentKey {
  kind: string;
  index: Buffer;
}

export function consentKey(tx: Pick<TenantTx, 'crypto'>, handle: HandleInput, field = '/handle/value'): ConsentKey {
  const h = normalizeHandle(handle, field);
  const kind = h.kind === 'whatsapp' ? 'phone' : h.kind;
  return { kind, index: tx.crypto.blindIndex(kind, h.value) };
}

/** The key of a stored contact handle (phone handles carry their index already; others are re-derived). */
export async function consentKeyOfHandle(tx: TenantTx, handleId: string): Promise<ConsentKey | null> {
  const row = await readHandle(tx, handleId);
  return row ? consentKeyOfRow(tx, row) : null;
}

/** The stored handle's columns consent and sending need (the send job reads it once for both). */
export interface StoredHandle {
  id: string;
  kind: string;
  value_enc: Buffer;
  value_index: Buffer;
}

export async function readHandle(tx: TenantTx, handleId: string): Promise<StoredHandle | undefined> {
  return tx.pii('pii.contact_handles').select('id', 'kind', 'value_enc', 'value_index').where({ id: handleId }).first();
}

export function consentKeyOfRow(tx: Pick<TenantTx, 'crypto'>, row: StoredHandle): ConsentKey {
  if (row.kind === 'phone') return { kind: 'phone', index: Buffer.from(row.value_index) };
  return consentKey(tx, { kind: row.kind, value: tx.crypto.decrypt(row.id, 'value', row.value_enc)! });
}

export interface ConsentEntryInput {
  key: ConsentKey;
  contactId?: string | null;
  channel: string;
  purposes: readonly Purpose[];
  status: ConsentStatus;
  source: ConsentSource;
  evidence?: Record<string, unknown>;
  recordedBy: string;
}

export interface ConsentRow {
  id: string;
  handle_kind: string;
  contact_id: string | null;
  channel: string;
  purpose: Purpose;
  status: ConsentStatus;
  source: ConsentSource;
  evidence: Record<string, unknown>;
  recorded_at: Date | string;
  recorded_by: string;
}

export interface ConsentView {
  id: string;
  object: 'consent';
  handleKind: string;
  contactId: string | null;
  channel: string;
  purpose: Purpose;
  status: ConsentStatus;
  source: ConsentSource;
  evidence: Record<string, unknown>;
  recordedAt: string;
  recordedBy: string;
}

export const consentView = (r: ConsentRow): ConsentView => ({
  id: r.id,
  object: 'consent',
  handleKind: r.handle_kind,
  contactId: r.contact_id,
  channel: r.channel,
  purpose: r.purpose,
  status: r.status,
  source: r.source,
  evidence: typeof r.evidence === 'string' ? JSON.parse(r.evidence) : r.evidence,
  recordedAt: new Date(r.recorded_at).toISOString(),
  recordedBy: r.recorded_by,
});

/** Appends one entry per purpose; returns their ids. */
export async function recordConsent(tx: TenantTx, e: ConsentEntryInput): Promise<string[]> {
  const evidence = e.evidence ?? {};
  if (JSON.stringify(evidence).length > 8_000) throw invalid('/evidence', 'is larger than 8,000 characters');
  const rows = e.purposes.map((purpose) => ({
    id: uuidv7(),
    org_id: tx.orgId,
    handle_kind: e.key.kind,
    handle_index: e.key.index,
    contact_id: e.contactId ?? null,
    channel: consentChannel(e.channel),
    purpose,
    status: e.status,
    source: e.source,
    evidence: JSON.stringify(evidence),
    recorded_by: e.recordedBy,
  }));
  await tx.trx('consents').insert(rows);
  return rows.map((r) => r.id);
}

/** The latest entry for (handle, channel, purpose), or undefined when none was ever recorded. */
export async function currentConsent(tx: TenantTx, key: ConsentKey, channel: string, purpose: Purpose): Promise<ConsentRow | undefined> {
  return tx.trx('consents')
    .where({ handle_index: key.index, channel: consentChannel(channel), purpose })
    .orderBy('recorded_at', 'desc')
    .orderBy('seq', 'desc')
    .first();
}

/** The keys of every handle a contact has (phone and whatsapp handles of one number share a key). */
export async function contactConsentKeys(tx: TenantTx, contactId: string): Promise<ConsentKey[]> {
  const ids: { id: string }[] = await tx.pii('pii.contact_handles').select('id').where({ contact_id: contactId });
  const keys = (await Promise.all(ids.map((r) => consentKeyOfHandle(tx, r.id)))).filter((k): k is ConsentKey => !!k);
  return [...new Map(keys.map((k) => [k.index.toString('hex'), k])).values()];
}

/** Every entry for the given handles (oldest first) and the current state per (handle, channel, purpose). */
export async function consentHistory(tx: TenantTx, keys: ConsentKey[]) {
  if (!keys.length) return { history: [], current: [] };
  const rows: (ConsentRow & { handle_index: Buffer })[] = await tx.trx('consents')
    .whereIn('handle_index', keys.map((k) => k.index))
    .orderBy('recorded_at')
    .orderBy('seq')
    .limit(5000);
  const current = new Map<string, ConsentView>();
  for (const r of rows) current.set(`${Buffer.from(r.handle_index).toString('hex')}\0${r.channel}\0${r.purpose}`, consentView(r));
  return { history: rows.map(consentView), current: [...current.values()] };
}

export interface CurrentConsentView extends Omit<ConsentView, 'object'> {
  object: 'consent_state';
  /** The handle's blind index (hex): stable per handle, no value. */
  handleIndex: string;
  /** The handle's value when the entry names a contact that still holds it; null otherwise (erased, or never linked). */
  handle: { kind: string; value: string } | null;
}

/**
 * The current state of every (handle, channel, purpose) the ledger knows — its latest entry —
 * most recently changed first, keyset-paginated on (recorded_at, id). `status: 'opted_out'` is
 * the org's opt-out list. A handle's value is shown only through a contact that still holds it
 * (the ledger itself keeps no value).
 */
export async function listCurrentConsents(
  tx: TenantTx,
  q: { status?: ConsentStatus; channel?: string; purpose?: Purpose; contactId?: string; limit?: number; cursor?: string },
): Promise<Page<CurrentConsentView>> {
  const limit = q.limit ?? 50;
  const after = decodePageCursor(q.cursor);
  const latest = tx.trx('consents')
    .distinctOn(['handle_index', 'channel', 'purpose'])
    .select('*')
    .where('org_id', tx.orgId)
    .orderBy([{ column: 'handle_index' }, { column: 'channel' }, { column: 'purpose' }, { column: 'recorded_at', order: 'desc' }, { column: 'seq', order: 'desc' }]);
  const query = tx.trx.with('latest', latest).from('latest').select('latest.*', pageKeyColumn(tx.trx, 'latest', 'recorded_at'));
  if (q.status) query.where('latest.status', q.status);
  if (q.channel) query.where('latest.channel', consentChannel(q.channel));
  if (q.purpose) query.where('latest.purpose', q.purpose);
  if (q.contactId) query.where('latest.contact_id', q.contactId);
  const rows: (ConsentRow & { handle_index: Buffer; page_at: string })[] = await applyPage(query, 'latest', after, limit, 'recorded_at');
  const page = pageOf(rows, limit);
  const values = new Map<string, { kind: string; value: string }>();
  const contactIds = [...new Set(page.rows.map((r) => r.contact_id).filter((c): c is string => !!c))];
  if (contactIds.length) {
    const handles: { id: string; kind: string; value_enc: Buffer }[] = await tx.pii('pii.contact_handles').select('id', 'kind', 'value_enc').whereIn('contact_id', contactIds);
    for (const h of handles) {
      const value = tx.crypto.decrypt(h.id, 'value', h.value_enc);
      if (!value) continue;
      let key: ConsentKey;
      try {
        key = consentKey(tx, { kind: h.kind, value });
      } catch {
        continue;
      }
      values.set(key.index.toString('hex'), { kind: h.kind, value });
    }
  }
  return {
    data: page.rows.map((r) => {
      const index = Buffer.from(r.handle_index).toString('hex');
      return { ...consentView(r), object: 'consent_state', handleIndex: index, handle: values.get(index) ?? null };
    }),
    nextCursor: page.nextCursor,
    hasMore: page.hasMore,
  };
}
