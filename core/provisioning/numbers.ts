import type { AvailableNumber, NumberInventory, NumberSearch } from '../../connectors/kit/index.ts';
import { appendEvent } from '../events/events.ts';
import { normalizeSenderAddress, senderView, type SenderRow, type SenderView } from '../connections/senders.ts';
import { createSender } from '../connections/senders.ts';
import { hookOf, loadProvisioner, viaProvider, type ProvisioningEngine } from './context.ts';

/**
 * Numbers: search the provider's stock, buy one (the provider points it at the connection in the
 * same request, and it becomes one of the connection's senders at once), list the account's
 * numbers, release one (explicit, audited by the route; its sender goes with it).
 */
export async function searchNumbers(engine: ProvisioningEngine, orgId: string, connectionId: string, query: NumberSearch): Promise<AvailableNumber[]> {
  const p = await loadProvisioner(engine, orgId, connectionId);
  const search = hookOf(p, 'searchNumbers');
  return viaProvider(p, () => search({ ...query, country: query.country.toUpperCase() }, p.ctx));
}

export interface BoughtNumber {
  object: 'provisioned_number';
  providerId: string;
  phoneNumber: string;
  sandbox: boolean;
  inboundUrl: string | null;
  sender: SenderView;
}

export async function buyNumber(engine: ProvisioningEngine, orgId: string, connectionId: string, input: { phoneNumber: string; channel?: string }): Promise<BoughtNumber> {
  const channel = input.channel ?? 'sms';
  const phoneNumber = normalizeSenderAddress(channel, input.phoneNumber);
  const p = await loadProvisioner(engine, orgId, connectionId);
  const buy = hookOf(p, 'buyNumber');
  const bought = await viaProvider(p, () => buy({ phoneNumber }, p.ctx));
  // Bought = paid for: the sender is recorded even if it already existed (then it only learns the provider id).
  const sender = await engine.tenant(orgId, async (tx) => {
    const existing: SenderRow | undefined = await tx.trx('senders').where({ connection_id: connectionId, channel, address: bought.phoneNumber }).first();
    const view = existing ? senderView(existing) : await createSender(tx, connectionId, { channel, address: bought.phoneNumber });
    const [row] = await tx.trx('senders').where({ id: view.id }).update({ provider_id: bought.id }).returning('*');
    const updated = senderView(row);
    await appendEvent(tx, { type: 'connection.number_added', subjectId: connectionId, data: { connectionId, sender: updated, providerId: bought.id, sandbox: p.sandbox } });
    return updated;
  });
  return { object: 'provisioned_number', providerId: bought.id, phoneNumber: bought.phoneNumber, sandbox: p.sandbox, inboundUrl: bought.inboundUrl ?? null, sender };
}

export async function listNumbers(engine: ProvisioningEngine, orgId: string, connectionId: string): Promise<NumberInventory & { sandbox: boolean }> {
  const p = await loadProvisioner(engine, orgId, connectionId);
  const list = hookOf(p, 'listNumbers');
  const inventory = await viaProvider(p, () => list(p.ctx));
  // The provider's quality signals (WhatsApp) are kept on the matching senders: the health check reads them.
  const rated = inventory.numbers.filter((n) => n.qualityRating !== undefined || n.messagingLimit !== undefined);
  if (rated.length) {
    await engine.tenant(orgId, async (tx) => {
      for (const n of rated) {
        await tx.trx('senders')
          .where({ connection_id: connectionId, address: n.phoneNumber })
          .update({ quality_rating: n.qualityRating ?? null, messaging_limit: n.messagingLimit ?? null });
      }
    });
  }
  return { numbers: inventory.numbers, services: inventory.services ?? [], sandbox: p.sandbox };
}

export async function releaseNumber(
  engine: ProvisioningEngine,
  orgId: string,
  connectionId: string,
  phoneNumber: string,
): Promise<{ object: 'released_number'; phoneNumber: string; released: boolean; providerId: string | null; sendersRemoved: number }> {
  const address = normalizeSenderAddress('sms', phoneNumber);
  const p = await loadProvisioner(engine, orgId, connectionId);
  const release = hookOf(p, 'releaseNumber');
  const result = await viaProvider(p, () => release({ phoneNumber: address }, p.ctx));
  const removed = await engine.tenant(orgId, async (tx) => {
    const rows: SenderRow[] = await tx.trx('senders').where({ connection_id: connectionId, address }).delete().returning('*');
    if (rows.length) await appendEvent(tx, { type: 'connection.number_released', subjectId: connectionId, data: { connectionId, phoneNumber: address, senders: rows.map((r) => r.id) } });
    return rows.length;
  });
  return { object: 'released_number', phoneNumber: address, released: result.released, providerId: result.id ?? null, sendersRemoved: removed };
}
