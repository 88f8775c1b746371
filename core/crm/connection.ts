import type { AnyConnectorDefinition, CrmApi } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import type { Registry } from '../../connectors/kit/index.ts';
import { loadRuntime, type ConnectionRuntime } from '../connections/runtime.ts';

/** A connection that can act as a CRM: active, its connector declaring the capability needed. */
export async function crmRuntime(
  tx: TenantTx,
  connectors: Registry,
  connectionId: string,
  need: 'crm.lookup' | 'crm.log',
): Promise<ConnectionRuntime & { crm: CrmApi }> {
  const rt = await loadRuntime(tx, connectors, connectionId);
  if (rt.row.status === 'disabled') throw new AppError('unprocessable', `Connection ${connectionId} is disabled.`);
  const crm = crmOf(rt.def, need);
  if (!crm) throw new AppError('unprocessable', `Connector ${rt.def.id} cannot do ${need}.`);
  return { ...rt, crm };
}

function crmOf(def: AnyConnectorDefinition, need: 'crm.lookup' | 'crm.log'): CrmApi | undefined {
  if (!def.capabilities.includes(need) || !def.crm) return undefined;
  return def.crm as unknown as CrmApi;
}

/**
 * The connection a rule action names: by id (`connection`) or by connector (`connector`: the org's
 * oldest active connection of it). Unknown or inactive → 422 with the field.
 */
export async function pickConnection(tx: TenantTx, ref: { connection?: string; connector?: string }, what: string): Promise<string> {
  const q = tx.trx('connections').where({ status: 'active' }).select('id');
  if (ref.connection) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref.connection)) {
      throw new AppError('unprocessable', `${what}: connection is not a connection id.`, { details: [{ field: '/connection', reason: 'is not a connection id' }] });
    }
    q.where({ id: ref.connection });
  } else q.where({ connector_id: ref.connector ?? '' }).orderBy('created_at').orderBy('id');
  const row: { id: string } | undefined = await q.first();
  const field = ref.connection ? '/connection' : '/connector';
  if (!row) throw new AppError('unprocessable', `${what}: no such active connection.`, { details: [{ field, reason: 'no such active connection' }] });
  return row.id;
}
