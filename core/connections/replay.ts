import type { Engine } from '../engine.ts';
import { AppError, invalid } from '../errors.ts';
import { archiveView, findArchived, openArchived, type ArchiveRow, type ArchiveView } from './archive.ts';
import { processArchived, type IngressEngine } from './ingress.ts';
import { loadRuntime } from './runtime.ts';

/**
 * POST /v1/connections/{id}/replay: archived requests go through mapping and ingest again with
 * the connector version the connection runs NOW (a fixed release, or after an upgrade). They are
 * not verified again: they were when they arrived. Idempotent: provider message ids make a
 * message that was stored once a duplicate the second time.
 */
export interface ReplayInput {
  rawInboundId?: string;
  /** Several archived requests by id (a batch the dashboard replays a slice at a time, showing progress). */
  rawInboundIds?: string[];
  /** ISO date: every failed or unmatched request received since then (oldest first); default: all of them. */
  since?: string;
  limit?: number;
}

export const REPLAY_BATCH = 100;
const STUCK_MS = 60_000;

export async function replayArchived(
  engine: IngressEngine & Pick<Engine, 'tenant'>,
  orgId: string,
  connectionId: string,
  input: ReplayInput,
): Promise<{ data: ArchiveView[]; hasMore: boolean }> {
  const since = input.since === undefined ? undefined : new Date(input.since);
  if (since && Number.isNaN(since.getTime())) throw invalid('/since', 'must be an ISO 8601 date-time');
  const limit = Math.min(input.limit ?? REPLAY_BATCH, REPLAY_BATCH);
  const { rt, rows } = await engine.tenant(orgId, async (tx) => {
    const rt = await loadRuntime(tx, engine.connectors, connectionId);
    let rows: ArchiveRow[];
    if (input.rawInboundId || input.rawInboundIds) {
      const ids = [...new Set([...(input.rawInboundId ? [input.rawInboundId] : []), ...(input.rawInboundIds ?? [])])];
      rows = [];
      for (const id of ids.slice(0, limit)) rows.push(await findArchived(tx, connectionId, id));
    } else {
      // Also requests left "received" by a crash between archiving and ingesting (the provider got
      // no 2xx and may have retried: replaying is idempotent through provider ids).
      const q = tx.trx('raw_inbound')
        .where({ connection_id: connectionId })
        .where((w) => w.whereIn('status', ['failed', 'unmatched']).orWhere((r) => r.where('status', 'received').where('received_at', '<', new Date(Date.now() - STUCK_MS))));
      if (since) q.where('received_at', '>=', since);
      rows = await q.orderBy('received_at').orderBy('id').limit(limit + 1);
    }
    return { rt, rows: rows.map((row) => ({ row, request: openArchived(tx, row) })) };
  });
  const hasMore = rows.length > limit;
  const data: ArchiveView[] = [];
  for (const { row, request } of rows.slice(0, limit)) {
    try {
      const p = await processArchived(engine, orgId, rt, row.id, request);
      data.push(archiveView({ ...row, status: p.status, error: null, message_ids: p.messageIds, processed_at: new Date() }));
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      data.push(archiveView({ ...row, status: 'failed', error: err.details ? (err.details as { reason: string }[]).map((d) => d.reason).join('\n') : err.message }));
    }
  }
  return { data, hasMore };
}

/**
 * Status callbacks that overtook the commit of our own send (the provider answered the API call,
 * then called back before markSent committed) are archived as "unmatched"; once the send is
 * recorded they are applied. Called by the send job right after markSent.
 */
export async function replayUnmatched(engine: IngressEngine, orgId: string, connectionId: string, providerMessageId: string): Promise<number> {
  const { rt, rows } = await engine.tenant(orgId, async (tx) => {
    const rows: ArchiveRow[] = await tx.trx('raw_inbound')
      .where({ connection_id: connectionId, status: 'unmatched' })
      .whereRaw('provider_message_ids @> ARRAY[?]::text[]', [providerMessageId])
      .orderBy('received_at')
      .limit(REPLAY_BATCH);
    if (!rows.length) return { rt: null, rows: [] };
    return { rt: await loadRuntime(tx, engine.connectors, connectionId), rows: rows.map((row) => ({ row, request: openArchived(tx, row) })) };
  });
  for (const { row, request } of rows) await processArchived(engine, orgId, rt!, row.id, request);
  return rows.length;
}
