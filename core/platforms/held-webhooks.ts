import type { ArchiveRow } from '../connections/archive.ts';
import { openArchived } from '../connections/archive.ts';
import { processArchived, type IngressEngine } from '../connections/ingress.ts';
import { loadRuntime } from '../connections/runtime.ts';
import { createLogger } from '../logger.ts';

const log = createLogger('held-webhooks');
const BATCH = 100;

/**
 * After a suspended org is resumed: the provider requests that arrived meanwhile (archived as
 * "held", acknowledged, untouched) are processed in the order they arrived, each exactly as the
 * ingress would have (processArchived; provider ids make a repeat a duplicate). A request that
 * fails to map is left "failed" for the usual replay, like any other.
 */
export async function processHeldWebhooks(engine: IngressEngine, orgId: string): Promise<{ processed: number; failed: number }> {
  let processed = 0;
  let failed = 0;
  const seen = new Set<string>();
  for (;;) {
    const batch = await engine.tenant(orgId, async (tx) => {
      const rows: ArchiveRow[] = await tx.trx('raw_inbound').where({ status: 'held' }).orderBy('received_at').orderBy('id').limit(BATCH);
      return rows.map((row) => ({ row, request: openArchived(tx, row) }));
    });
    // A row still "held" after its turn (its failure could not even be recorded) is not retried in a loop.
    const fresh = batch.filter(({ row }) => !seen.has(row.id));
    if (!fresh.length) break;
    for (const { row, request } of fresh) {
      seen.add(row.id);
      const rt = await engine.tenant(orgId, (tx) => loadRuntime(tx, engine.connectors, row.connection_id));
      try {
        await processArchived(engine, orgId, rt, row.id, request);
        processed++;
      } catch (err) {
        // processArchived marked it failed (it leaves "held" either way, so the loop ends).
        failed++;
        log.warn({ orgId, archiveId: row.id, err: (err as Error).message }, 'a held webhook could not be processed');
      }
    }
  }
  return { processed, failed };
}
