import type { SenderRegistration } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { appendEvent } from '../events/events.ts';
import { normalizeSenderAddress, senderView, type SenderRow, type SenderView } from '../connections/senders.ts';
import { hookOf, loadProvisioner, viaProvider, type ProvisioningEngine } from './context.ts';

/**
 * Sender registration (A2P 10DLC) read from the provider and written onto the connection's
 * senders, so the send preflight's unregistered_sender follows the provider's truth rather than
 * what an admin typed: a campaign verified upstream lets sends through at the next sync, one that
 * fails or is suspended blocks them. Run on demand and by the provisioning job.
 */
export interface RegistrationSync {
  object: 'registration_sync';
  connectionId: string;
  checked: number;
  changed: { sender: SenderView; previous: string }[];
}

const PHONE_CHANNELS = ['sms', 'mms'];

export async function syncRegistrations(engine: ProvisioningEngine, orgId: string, connectionId: string): Promise<RegistrationSync> {
  const p = await loadProvisioner(engine, orgId, connectionId);
  const read = hookOf(p, 'registrations');
  const found = await viaProvider(p, () => read(p.ctx));
  return engine.tenant(orgId, (tx) => applyRegistrations(tx, connectionId, found));
}

async function applyRegistrations(tx: TenantTx, connectionId: string, found: SenderRegistration[]): Promise<RegistrationSync> {
  const byAddress = new Map<string, SenderRegistration>();
  for (const r of found) {
    try {
      byAddress.set(normalizeSenderAddress('sms', r.address), r);
    } catch {
      // An address that is no phone number (an alphanumeric sender id) has no 10DLC status to apply.
    }
  }
  const senders: SenderRow[] = await tx.trx('senders').where({ connection_id: connectionId }).whereIn('channel', PHONE_CHANNELS).forUpdate();
  const changed: RegistrationSync['changed'] = [];
  for (const s of senders) {
    const r = byAddress.get(s.address);
    if (!r) continue;
    const [row] = await tx.trx('senders')
      .where({ id: s.id })
      .update({
        registration_status: r.status,
        brand_id: r.brandId ?? s.brand_id,
        campaign_id: r.campaignId ?? s.campaign_id,
        provider_status: r.providerStatus ?? null,
        registration_checked_at: tx.trx.fn.now(),
      })
      .returning('*');
    if (s.registration_status !== r.status) {
      const view = senderView(row);
      changed.push({ sender: view, previous: s.registration_status });
      await appendEvent(tx, { type: 'sender.registration_changed', subjectId: s.id, data: { sender: view, previous: s.registration_status } });
    }
  }
  return { object: 'registration_sync', connectionId, checked: senders.filter((s) => byAddress.has(s.address)).length, changed };
}
