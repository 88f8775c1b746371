import type { Engine } from '../engine.ts';
import { createLogger } from '../logger.ts';
import { runEvery } from '../periodic.ts';
import { listOrgIds } from '../orgs.ts';
import { definitionOf, type ConnectionRow } from '../connections/model.ts';
import { checkHealth } from './health.ts';
import { syncRegistrations } from './registrations.ts';
import { syncTemplates } from './templates.ts';

const log = createLogger('provisioning-job');

/**
 * The provisioning poll: every interval, each active connection whose connector offers
 * registrations, templates or a wiring check gets them read from the provider (sandbox ones are
 * simulated), then a health check, which emits connection.health_changed when the status moved.
 * Replicas share the work: a connection is claimed by moving its connection_health.checked_at
 * forward in a short transaction (only the process whose UPDATE matched polls it), and the
 * provider is called outside any transaction.
 */
export const PROVISIONING_INTERVAL_MS = 15 * 60_000;

export interface ProvisioningRun {
  connections: number;
  failed: number;
}

export async function runProvisioning(engine: Engine, opts: { intervalMs?: number } = {}): Promise<ProvisioningRun> {
  const interval = opts.intervalMs ?? PROVISIONING_INTERVAL_MS;
  const run: ProvisioningRun = { connections: 0, failed: 0 };
  for (const orgId of await listOrgIds(engine.db)) {
    const claimed = await engine.tenant(orgId, async (tx) => {
      const rows: ConnectionRow[] = await tx.trx('connections').where({ status: 'active' });
      const polled = rows.filter((r) => {
        const p = definitionOf(engine.connectors, r)?.provisioning;
        return !!(p?.registrations || p?.templates || p?.wiring);
      });
      const mine: string[] = [];
      for (const r of polled) {
        await tx.trx.raw(`INSERT INTO connection_health (connection_id, org_id, status, checked_at) VALUES (?, ?, 'unknown', 'epoch') ON CONFLICT DO NOTHING`, [r.id, orgId]);
        const won = await tx.trx('connection_health')
          .where({ connection_id: r.id })
          .where('checked_at', '<', tx.trx.raw(`now() - (? * interval '1 millisecond')`, [interval]))
          .update({ checked_at: tx.trx.fn.now() })
          .returning('connection_id');
        if (won.length) mine.push(r.id);
      }
      return mine.map((id) => ({ id, provisioning: definitionOf(engine.connectors, polled.find((r) => r.id === id)!)!.provisioning! }));
    });
    for (const c of claimed) {
      run.connections++;
      try {
        if (c.provisioning.registrations) await syncRegistrations(engine, orgId, c.id);
        if (c.provisioning.templates) await syncTemplates(engine, orgId, c.id);
        await checkHealth(engine, orgId, c.id);
      } catch (err) {
        // One connection's provider being down must not stop the others; its health check says so next time.
        run.failed++;
        log.warn({ orgId, connectionId: c.id, err: (err as Error).message }, 'provisioning poll failed');
      }
    }
  }
  return run;
}

export function startProvisioningJob(engine: Engine, opts: { intervalMs?: number; tickMs?: number } = {}): { stop(): Promise<void> } {
  return runEvery(() => runProvisioning(engine, opts), opts.tickMs ?? 60_000, log, 'provisioning run failed');
}
