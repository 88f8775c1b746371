import { v7 as uuidv7 } from 'uuid';
import type { RawRequest } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { notFound } from '../errors.ts';
import { decodePageCursor, pageOf, type Page } from '../identity/pagination.ts';
import { orgSettings } from '../org-settings.ts';
import { redact, type SafeModeSettings } from '../compliance/redaction.ts';

/**
 * raw_inbound: every verified provider request, sealed with the org key, kept so a payload a
 * connector could not map (or a status that came before its message) can be replayed later.
 * The request is archived before anything is mapped, in its own transaction, so it survives the
 * rollback of a failed ingest.
 */
export type ArchiveStatus = 'received' | 'held' | 'processed' | 'failed' | 'unmatched';

export interface ArchiveRow {
  id: string;
  org_id: string;
  connection_id: string;
  request_enc: Buffer | Uint8Array;
  status: ArchiveStatus;
  error: string | null;
  message_ids: string[];
  provider_message_ids: string[];
  received_at: Date | string;
  processed_at: Date | string | null;
}

interface SealedRequest {
  method: string;
  url: string;
  headers: RawRequest['headers'];
  body: string;
}

/** status 'held': the org is suspended; the request is kept, unprocessed, until it is resumed (core/platforms/suspension.ts). */
export async function archiveRequest(tx: TenantTx, connectionId: string, req: RawRequest, status: 'received' | 'held' = 'received'): Promise<string> {
  const id = uuidv7();
  const sealed: SealedRequest = { method: req.method, url: req.url, headers: req.headers, body: req.body.toString('base64') };
  await tx.trx('raw_inbound').insert({
    id,
    org_id: tx.orgId,
    connection_id: connectionId,
    request_enc: tx.crypto.encryptJson(id, 'request', sealed),
    status,
  });
  return id;
}

/**
 * Safe mode "before_storage" covers the archive too: once a request is processed (its messages
 * stored, redacted), the archived copy is re-sealed with its text values redacted the same way.
 * What a replay needs stays: method, URL, headers and the body's structure (field names, provider
 * ids), so a replay still maps it (its messages are then duplicates). Failed and unmatched
 * requests keep every byte until they are processed: a replay after a fix must see the original.
 */
export async function redactArchived(tx: TenantTx, id: string, req: RawRequest): Promise<boolean> {
  const safe = (await orgSettings(tx.trx, tx.orgId)).safeMode;
  if (!safe.enabled || safe.apply !== 'before_storage') return false;
  const body = redactBody(req, safe);
  if (!body) return false;
  const sealed: SealedRequest = { method: req.method, url: req.url, headers: req.headers, body: body.toString('base64') };
  await tx.trx('raw_inbound').where({ id }).update({ request_enc: tx.crypto.encryptJson(id, 'request', sealed) }).returning('id');
  return true;
}

/** The body with every text value redacted, decoded per content type; null when nothing was found. */
function redactBody(req: RawRequest, safe: SafeModeSettings): Buffer | null {
  const type = String(Object.entries(req.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '').toLowerCase();
  const text = req.body.toString('utf8');
  let found = false;
  const clean = (value: string) => {
    const r = redact(value, safe);
    if (r.findings.length) found = true;
    return r.text;
  };
  let out: string;
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const params = new URLSearchParams();
    for (const [k, v] of new URLSearchParams(text)) params.append(k, clean(v));
    out = params.toString();
  } else if (type.includes('json')) {
    const walk = (v: unknown): unknown =>
      typeof v === 'string' ? clean(v) : Array.isArray(v) ? v.map(walk) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])) : v;
    try {
      out = JSON.stringify(walk(JSON.parse(text)));
    } catch {
      out = clean(text);
    }
  } else {
    // Multipart (email), XML, plain text: the text as it stands.
    out = clean(text);
  }
  return found ? Buffer.from(out) : null;
}

export function openArchived(tx: TenantTx, row: ArchiveRow): RawRequest {
  const s = tx.crypto.decryptJson<SealedRequest>(row.id, 'request', Buffer.from(row.request_enc))!;
  return { method: s.method, url: s.url, headers: s.headers, body: Buffer.from(s.body, 'base64') };
}

export async function findArchived(tx: TenantTx, connectionId: string, id: string, opts: { lock?: boolean } = {}): Promise<ArchiveRow> {
  const q = tx.trx('raw_inbound').where({ id, connection_id: connectionId }).first();
  const row: ArchiveRow | undefined = await (opts.lock ? q.forUpdate() : q);
  if (!row) throw notFound('archived request');
  return row;
}

export interface ArchiveOutcome {
  status: Exclude<ArchiveStatus, 'received' | 'held'>;
  error?: string | null;
  messageIds?: string[];
  providerMessageIds?: string[];
}

export async function settleArchived(tx: TenantTx, id: string, out: ArchiveOutcome): Promise<void> {
  await tx.trx('raw_inbound')
    .where({ id })
    .update({
      status: out.status,
      error: out.error ?? null,
      message_ids: out.messageIds ?? [],
      provider_message_ids: out.providerMessageIds ?? [],
      processed_at: tx.trx.fn.now(),
    });
}

export interface ArchiveView {
  id: string;
  object: 'raw_inbound';
  connectionId: string;
  status: ArchiveStatus;
  error: string | null;
  messageIds: string[];
  receivedAt: string;
  processedAt: string | null;
}

export const archiveView = (r: ArchiveRow): ArchiveView => ({
  id: r.id,
  object: 'raw_inbound',
  connectionId: r.connection_id,
  status: r.status,
  error: r.error,
  messageIds: r.message_ids ?? [],
  receivedAt: new Date(r.received_at).toISOString(),
  processedAt: r.processed_at ? new Date(r.processed_at).toISOString() : null,
});

/** The archived request itself, for an admin reading why it failed: only with the admin scope (it holds message content). */
export interface ArchivedRequestView {
  method: string;
  url: string;
  headers: RawRequest['headers'];
  /** UTF-8 text of the body as the provider sent it (or as safe mode redacted it once processed). */
  body: string;
}

export type ArchiveListItem = ArchiveView & { request?: ArchivedRequestView };

/**
 * GET /v1/connections/{id}/archive: newest first, keyset-paginated on (received_at, id).
 * `failed`: only what needs attention (failed and unmatched). Bodies stay sealed unless
 * `includeRequest` (the route allows it to the admin scope only).
 */
export async function listArchive(
  tx: TenantTx,
  connectionId: string,
  q: { status?: ArchiveStatus; failed?: boolean; limit?: number; cursor?: string; includeRequest?: boolean },
): Promise<Page<ArchiveListItem>> {
  const limit = q.limit ?? 50;
  const after = decodePageCursor(q.cursor);
  // The cursor's time at microsecond precision (see identity/pagination.ts).
  const query = tx
    .trx('raw_inbound')
    .select('*', tx.trx.raw(`to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS page_at`))
    .where({ connection_id: connectionId });
  if (q.status) query.where({ status: q.status });
  if (q.failed) query.whereIn('status', ['failed', 'unmatched']);
  if (after) query.whereRaw('(received_at, id) < (?::timestamptz, ?::uuid)', [after.at, after.id]);
  const found: (ArchiveRow & { page_at: string })[] = await query.orderBy([{ column: 'received_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit + 1);
  const { rows, nextCursor, hasMore } = pageOf(found, limit);
  return {
    data: rows.map((r) => {
      if (!q.includeRequest) return archiveView(r);
      const req = openArchived(tx, r);
      return { ...archiveView(r), request: { method: req.method, url: req.url, headers: req.headers, body: req.body.toString('utf8') } };
    }),
    nextCursor,
    hasMore,
  };
}
