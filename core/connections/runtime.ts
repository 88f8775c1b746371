import type { AnyConnectorDefinition, ConnectorContext, Registry } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { decryptSecrets, requireDefinition, type ConnectionRow } from './model.ts';
import { findConnectionRow } from './service.ts';

/**
 * A connection ready to call its connector's hooks: the definition of its pinned major and the
 * hook context with the decrypted secrets. Loaded inside a tenant transaction, then used after
 * it (provider calls never hold a transaction open).
 */
export interface ConnectionRuntime {
  row: ConnectionRow;
  def: AnyConnectorDefinition;
  ctx: ConnectorContext<Record<string, unknown>, Record<string, unknown>>;
}

export function runtimeOf(tx: TenantTx, connectors: Registry, row: ConnectionRow): ConnectionRuntime {
  return { row, def: requireDefinition(connectors, row), ctx: { config: row.config ?? {}, secrets: decryptSecrets(tx.crypto, row) } };
}

export async function loadRuntime(tx: TenantTx, connectors: Registry, id: string): Promise<ConnectionRuntime> {
  return runtimeOf(tx, connectors, await findConnectionRow(tx, id));
}

