import type { AnyConnectorDefinition, Registry } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { definitionOf, type ConnectionRow } from '../connections/model.ts';
import type { SenderRow } from '../connections/senders.ts';

/**
 * Which connection and sender an outbound message leaves through. The message's own connection
 * when it names one; else the org's oldest active sending connection that has a sender on the
 * channel, else one whose connector declares the channel. The sender: the address the
 * conversation already uses (replies thread), else the connection's first sender on the channel,
 * else none (the connector chooses, e.g. a Twilio Messaging Service).
 */
const sends = (def: AnyConnectorDefinition | undefined): def is AnyConnectorDefinition => !!def?.capabilities.includes('messaging.send');

export async function pickConnection(
  tx: TenantTx,
  connectors: Registry,
  want: { channel: string; connectionId?: string | null },
): Promise<{ row: ConnectionRow; def: AnyConnectorDefinition } | null> {
  if (want.connectionId) {
    const row: ConnectionRow | undefined = await tx.trx('connections').where({ id: want.connectionId, status: 'active' }).first();
    const def = row && definitionOf(connectors, row);
    return row && sends(def) ? { row, def } : null;
  }
  const rows: ConnectionRow[] = await tx.trx('connections').where({ status: 'active' }).orderBy('created_at').orderBy('id');
  const withSender = new Set(
    (await tx.trx('senders').distinct('connection_id').where({ channel: want.channel })).map((r: { connection_id: string }) => r.connection_id),
  );
  const candidates = rows.map((row) => ({ row, def: definitionOf(connectors, row) })).filter((c): c is { row: ConnectionRow; def: AnyConnectorDefinition } => sends(c.def));
  return candidates.find((c) => withSender.has(c.row.id)) ?? candidates.find((c) => c.def.channels?.includes(want.channel)) ?? null;
}

export async function pickSender(tx: TenantTx, connectionId: string, channel: string, address: string | null): Promise<SenderRow | undefined> {
  const q = tx.trx('senders').where({ connection_id: connectionId, channel });
  if (address) q.where({ address });
  return q.orderBy('created_at').orderBy('id').first();
}
