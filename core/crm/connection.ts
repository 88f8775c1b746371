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
