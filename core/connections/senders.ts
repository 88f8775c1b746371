import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../db/tenant.ts';
import { AppError, notFound } from '../errors.ts';
import { normalizeAddress } from '../conversations/channels.ts';
import { normalizeHandle } from '../identity/handles.ts';
import { isUniqueViolation, inSavepoint } from '../identity/savepoint.ts';
import { findConnectionRow } from './service.ts';

/**
 * Senders: the org's numbers and addresses on a connection. For SMS they carry the 10DLC brand and
 * campaign and the pace carriers allow (messages per second), which the send job enforces per sender.
 * Addresses are stored in the form conversations record as their sender address (E.164 for phones).
 */
export const REGISTRATION_STATUSES = ['unregistered', 'pending', 'approved', 'rejected', 'not_required'] as const;

export interface SenderRow {
  id: string;
  org_id: string;
  connection_id: string;
  channel: string;
  address: string;
  brand_id: string | null;
  campaign_id: string | null;
  registration_status: string;
  messages_per_second: string | number;
  created_at: Date | string;
}

export interface SenderView {
  id: string;
  object: 'sender';
  connectionId: string;
  channel: string;
  address: string;
  brandId: string | null;
  campaignId: string | null;
  registrationStatus: string;
  messagesPerSecond: number;
  createdAt: string;
}

export interface SenderInput {
  channel: string;
  address: string;
  brandId?: string | null;
  campaignId?: string | null;
  registrationStatus?: (typeof REGISTRATION_STATUSES)[number];
  messagesPerSecond?: number;
}

export type SenderPatch = Partial<Omit<SenderInput, 'channel' | 'address'>>;

export const senderView = (r: SenderRow): SenderView => ({
  id: r.id,
  object: 'sender',
  connectionId: r.connection_id,
  channel: r.channel,
  address: r.address,
  brandId: r.brand_id,
  campaignId: r.campaign_id,
  registrationStatus: r.registration_status,
  // numeric comes back from Postgres as a string
  messagesPerSecond: Number(r.messages_per_second),
  createdAt: new Date(r.created_at).toISOString(),
});

const PHONE_CHANNELS = new Set(['sms', 'mms', 'whatsapp']);

export function normalizeSenderAddress(channel: string, address: string): string {
  if (PHONE_CHANNELS.has(channel)) return normalizeHandle({ kind: 'phone', value: address.replace(/^whatsapp:/i, '') }, '/address').value;
  if (channel === 'email') return normalizeHandle({ kind: 'email', value: address }, '/address').value;
  return normalizeAddress(address) ?? address.trim();
}

export async function createSender(tx: TenantTx, connectionId: string, input: SenderInput): Promise<SenderView> {
  await findConnectionRow(tx, connectionId);
  const address = normalizeSenderAddress(input.channel, input.address);
  try {
    const [row] = await inSavepoint(tx, (inner) =>
      inner.trx('senders')
        .insert({
          id: uuidv7(),
          org_id: tx.orgId,
          connection_id: connectionId,
          channel: input.channel,
          address,
          brand_id: input.brandId ?? null,
          campaign_id: input.campaignId ?? null,
          registration_status: input.registrationStatus ?? 'unregistered',
          messages_per_second: input.messagesPerSecond ?? 1,
        })
        .returning('*'),
    );
    return senderView(row);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    throw new AppError('conflict', `The org already has a ${input.channel} sender ${address}.`, { details: [{ field: '/address', reason: 'already a sender' }] });
  }
}

export async function listSenders(tx: TenantTx, connectionId: string): Promise<SenderView[]> {
  await findConnectionRow(tx, connectionId);
  const rows: SenderRow[] = await tx.trx('senders').where({ connection_id: connectionId }).orderBy('created_at').orderBy('id');
  return rows.map(senderView);
}

async function findSender(tx: TenantTx, connectionId: string, id: string): Promise<SenderRow> {
  const row: SenderRow | undefined = await tx.trx('senders').where({ id, connection_id: connectionId }).first();
  if (!row) throw notFound('sender');
  return row;
}

export async function getSender(tx: TenantTx, connectionId: string, id: string): Promise<SenderView> {
  return senderView(await findSender(tx, connectionId, id));
}

export async function updateSender(tx: TenantTx, connectionId: string, id: string, patch: SenderPatch): Promise<SenderView> {
  await findSender(tx, connectionId, id);
  const changes: Record<string, unknown> = {};
  if (patch.brandId !== undefined) changes.brand_id = patch.brandId;
  if (patch.campaignId !== undefined) changes.campaign_id = patch.campaignId;
  if (patch.registrationStatus !== undefined) changes.registration_status = patch.registrationStatus;
  if (patch.messagesPerSecond !== undefined) changes.messages_per_second = patch.messagesPerSecond;
  if (!Object.keys(changes).length) return getSender(tx, connectionId, id);
  const [row] = await tx.trx('senders').where({ id }).update(changes).returning('*');
  return senderView(row);
}

export async function deleteSender(tx: TenantTx, connectionId: string, id: string): Promise<void> {
  await findSender(tx, connectionId, id);
  await tx.trx('senders').where({ id }).delete().returning('id');
}
