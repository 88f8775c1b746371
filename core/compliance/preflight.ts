import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { AnyConnectorDefinition } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import type { ConnectionRow } from '../connections/model.ts';
import type { SenderRow } from '../connections/senders.ts';
import { orgSettings } from '../org-settings.ts';
import { consentKeyOfHandle, consentKeyOfRow, currentConsent, type Purpose, type StoredHandle } from './consent.ts';
import { baaEligible, notBaaEligible } from './hipaa.ts';
import { nextAllowedTime, recipientZones } from './quiet-hours.ts';

/**
 * The compliance preflight: may this outbound message leave now? Run when the message is
 * requested (POST /v1/messages: refusals answer 422 at once) and again in the send job, since
 * consent, settings and senders may change in between. Rules, in order:
 * - HIPAA mode: only BAA-eligible connectors (connector_not_baa_eligible);
 * - consent: an opted-out recipient (channel + purpose) is refused (recipient_opted_out), except
 *   the ONE confirmation reply (metadata.compliance 'confirmation') within an hour of the opt-out;
 * - 10DLC: SMS from a US long code needs an approved brand/campaign (unregistered_sender).
 *   Toll-free numbers and short codes have their own verification and are not checked here;
 *   sandbox connections reach no carrier and are exempt;
 * - quiet hours: marketing outside the window in the recipient's time zone is deferred (defer).
 */
export interface Reason {
  code: 'recipient_opted_out' | 'quiet_hours' | 'unregistered_sender' | 'connector_not_baa_eligible';
  message: string;
}

export interface Decision {
  allow: boolean;
  /** Set with quiet_hours: the message may leave at this time. */
  defer?: Date;
  reasons: Reason[];
}

export interface PreflightInput {
  messageId?: string;
  channel: string;
  purpose: Purpose;
  handleId: string | null;
  /** The handle row, when the caller has already read it (the send job): not read again. */
  handle?: StoredHandle | null;
  contactId: string | null;
  metadata: Record<string, unknown>;
  connection?: { row: ConnectionRow; def: AnyConnectorDefinition } | null;
  sender?: Pick<SenderRow, 'id' | 'address' | 'registration_status'> | null;
  now?: Date;
}

const CONFIRMATION_WINDOW_MS = 3_600_000;
const SMS = new Set(['sms', 'mms']);
const TOLL_FREE = new Set(['800', '833', '844', '855', '866', '877', '888']);

export const purposeOf = (metadata: Record<string, unknown> | null | undefined): Purpose =>
  metadata?.purpose === 'marketing' ? 'marketing' : 'transactional';

export async function preflight(tx: TenantTx, input: PreflightInput): Promise<Decision> {
  const now = input.now ?? new Date();
  const settings = await orgSettings(tx.trx, tx.orgId);
  const refuse = (reason: Reason): Decision => ({ allow: false, reasons: [reason] });

  const conn = input.connection;
  if (settings.hipaaMode && conn && !baaEligible(conn.def, input.channel, conn.row.config)) {
    return refuse({ code: 'connector_not_baa_eligible', message: notBaaEligible(conn.def.id, input.channel).message });
  }

  const key = input.handle ? consentKeyOfRow(tx, input.handle) : input.handleId ? await consentKeyOfHandle(tx, input.handleId) : null;
  const consent = key ? await currentConsent(tx, key, input.channel, input.purpose) : undefined;
  if (consent?.status === 'opted_out' && !(await confirmationAllowed(tx, input, new Date(consent.recorded_at), now))) {
    return refuse({ code: 'recipient_opted_out', message: `The recipient opted out of ${input.purpose} messages on ${consent.channel} (${consent.source}, ${new Date(consent.recorded_at).toISOString()}).` });
  }

  const sender = input.sender;
  if (SMS.has(input.channel) && sender && !conn?.row.sandbox && isUsLongCode(sender.address) && !['approved', 'not_required'].includes(sender.registration_status)) {
    return refuse({
      code: 'unregistered_sender',
      message: `The sender ${sender.address} has no approved 10DLC brand and campaign (registration: ${sender.registration_status}); US carriers block unregistered A2P traffic.`,
    });
  }

  if (input.purpose === 'marketing') {
    const contact = input.contactId ? await tx.pii('pii.contacts').select('timezone').where({ id: input.contactId }).first() : null;
    const phone = SMS.has(input.channel) || input.channel === 'whatsapp' ? await phoneOf(tx, input.handleId, input.handle) : null;
    const zones = recipientZones({ contactTimezone: contact?.timezone, phone, orgTimezone: settings.timezone });
    const next = nextAllowedTime(now, zones, settings.quietHours);
    if (next) {
      return {
        allow: false,
        defer: next,
        reasons: [{ code: 'quiet_hours', message: `Marketing messages leave between ${settings.quietHours.start} and ${settings.quietHours.end} in the recipient's time zone (${zones.join(', ')}); next allowed at ${next.toISOString()}.` }],
      };
    }
  }
  return { allow: true, reasons: [] };
}

/** The single reply after an opt-out: flagged, within the hour, and no other one sent since. */
async function confirmationAllowed(tx: TenantTx, input: PreflightInput, optedOutAt: Date, now: Date): Promise<boolean> {
  if (input.metadata?.compliance !== 'confirmation' || !input.handleId) return false;
  if (now.getTime() - optedOutAt.getTime() > CONFIRMATION_WINDOW_MS) return false;
  const q = tx.trx('messages')
    .where({ handle_id: input.handleId, direction: 'outbound' })
    .whereIn('status', ['sent', 'delivered', 'read'])
    .where('created_at', '>=', optedOutAt)
    .whereRaw(`metadata->>'compliance' = 'confirmation'`);
  if (input.messageId) q.whereNot({ id: input.messageId });
  return !(await q.first('id'));
}

async function phoneOf(tx: TenantTx, handleId: string | null, known?: StoredHandle | null): Promise<string | null> {
  if (!handleId) return null;
  const h = known ?? (await tx.pii('pii.contact_handles').select('id', 'kind', 'value_enc').where({ id: handleId }).first());
  if (!h || (h.kind !== 'phone' && h.kind !== 'whatsapp')) return null;
  return tx.crypto.decrypt(h.id, 'value', h.value_enc);
}

/** A US (NANP, country US) 10-digit number that is not toll-free; short codes are not E.164 and never match. */
export function isUsLongCode(address: string): boolean {
  const m = /^\+1(\d{3})\d{7}$/.exec(address);
  return !!m && !TOLL_FREE.has(m[1]!) && parsePhoneNumberFromString(address)?.country === 'US';
}

/** The API's error for a refusal (422 with the reason's code; quiet_hours carries the next allowed time). */
export function refusalError(d: Decision): AppError {
  const r = d.reasons[0]!;
  return new AppError(r.code, r.message, { details: [{ reason: r.message, code: r.code, ...(d.defer ? { nextAllowedAt: d.defer.toISOString() } : {}) }] });
}
