import { v7 as uuidv7 } from 'uuid';
import type { RawRequest } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { notFound } from '../errors.ts';

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
