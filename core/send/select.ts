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
  // One round trip: each active connection says whether it has a sender on the channel.
  const found: (ConnectionRow & { has_sender: boolean })[] = await tx.trx('connections')
    .select('connections.*', tx.trx.raw('EXISTS (SELECT 1 FROM senders s WHERE s.connection_id = connections.id AND s.channel = ?) AS has_sender', [want.channel]))
    .where({ status: 'active' })
    .orderBy('created_at')
    .orderBy('id');
  const candidates = found
    .map(({ has_sender, ...row }) => ({ row: row as ConnectionRow, def: definitionOf(connectors, row as ConnectionRow), hasSender: has_sender }))
    .filter((c): c is { row: ConnectionRow; def: AnyConnectorDefinition; hasSender: boolean } => sends(c.def));
  const pick = candidates.find((c) => c.hasSender) ?? candidates.find((c) => c.def.channels?.includes(want.channel));
  return pick ? { row: pick.row, def: pick.def } : null;
}

export async function pickSender(tx: TenantTx, connectionId: string, channel: string, address: string | null): Promise<SenderRow | undefined> {
  const q = tx.trx('senders').where({ connection_id: connectionId, channel });
  if (address) q.where({ address });
  return q.orderBy('created_at').orderBy('id').first();
}
