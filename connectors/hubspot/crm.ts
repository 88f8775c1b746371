import { ConnectorError, type CrmApi, type CrmLogEntry, type CrmRecord } from '../kit/index.ts';
import { call, hubspotClient, type HubSpotContext } from './client.ts';
import type { HubSpotConfig, HubSpotSecrets } from './schemas.ts';

/**
 * CRM hooks over the HubSpot CRM v3 API, through @hubspot/api-client:
 * - findContact: POST /crm/v3/objects/contacts/search (filter groups are ORed: phone, mobile
 *   phone, or email, each an exact match);
 * - createContact: POST /crm/v3/objects/contacts;
 * - logMessages: SMS / WhatsApp / chat as Communications (POST /crm/v3/objects/communications/batch/create)
 *   and email as Email engagements (POST /crm/v3/objects/emails/batch/create), associated with
 *   the contact, at most BATCH_SIZE per request (HubSpot's batch limit), each input carrying the
 *   message id as objectWriteTraceId so results are matched to messages whatever their order;
 * - logNote: a Note (POST /crm/v3/objects/notes: hs_note_body, hs_timestamp) associated with the
 *   contact (note → contact, association type 202).
 */
export const BATCH_SIZE = 100;
const PROPERTIES = ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'lifecyclestage', 'hubspot_owner_id'];

// HUBSPOT_DEFINED association type ids (CRM v4 associations reference).
const COMMUNICATION_TO_CONTACT = 81;
const EMAIL_TO_CONTACT = 198;
const NOTE_TO_CONTACT = 202;

/** hs_communication_channel_type values. */
const CHANNEL_TYPE: Record<string, string> = { sms: 'SMS', mms: 'SMS', whatsapp: 'WHATS_APP' };

type Ctx = HubSpotContext;
interface HsObject {
  id: string;
  properties: Record<string, string | null>;
  objectWriteTraceId?: string;
}

function recordUrl(config: HubSpotConfig, id: string): string | undefined {
  return config.portalId ? `https://app.hubspot.com/contacts/${config.portalId}/record/0-1/${id}` : undefined;
}

function toRecord(config: HubSpotConfig, o: HsObject): CrmRecord {
  const p = o.properties ?? {};
  const name = [p.firstname, p.lastname].filter(Boolean).join(' ');
  const url = recordUrl(config, o.id);
  const data: Record<string, unknown> = {};
  if (p.lifecyclestage) data.lifecycleStage = p.lifecyclestage;
  if (p.hubspot_owner_id) data.ownerId = p.hubspot_owner_id;
  return {
    externalId: o.id,
    ...(url ? { url } : {}),
    ...(name ? { name } : {}),
    ...(p.phone || p.mobilephone ? { phone: (p.phone || p.mobilephone)! } : {}),
    ...(p.email ? { email: p.email } : {}),
    data,
  };
}

function splitName(name: string | undefined): Record<string, string> {
  if (!name?.trim()) return {};
  const [first, ...rest] = name.trim().split(/\s+/);
  return { firstname: first!, ...(rest.length ? { lastname: rest.join(' ') } : {}) };
}

function communicationInput(contactId: string, e: CrmLogEntry) {
  const who = e.direction === 'inbound' ? `From ${e.theirs ?? 'contact'}` : `To ${e.theirs ?? 'contact'}`;
  return {
    objectWriteTraceId: e.messageId,
    properties: {
      hs_communication_channel_type: CHANNEL_TYPE[e.channel] ?? 'CUSTOM_CHANNEL_CONVERSATION',
      hs_communication_logged_from: 'CRM',
      hs_communication_body: `${who} (${e.channel}): ${e.body ?? ''}`,
      hs_timestamp: e.at,
    },
    associations: [{ to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as const, associationTypeId: COMMUNICATION_TO_CONTACT }] }],
  };
}

function emailInput(contactId: string, e: CrmLogEntry) {
  return {
    objectWriteTraceId: e.messageId,
    properties: {
      hs_timestamp: e.at,
      hs_email_direction: e.direction === 'inbound' ? 'INCOMING_EMAIL' : 'EMAIL',
      hs_email_status: 'SENT',
      hs_email_subject: e.subject ?? '',
      hs_email_text: e.body ?? '',
    },
    associations: [{ to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as const, associationTypeId: EMAIL_TO_CONTACT }] }],
  };
}

/** Results carry the objectWriteTraceId we sent; without it (older API answers) they are in input order. */
function matchResults(entries: CrmLogEntry[], results: HsObject[]): { messageId: string; externalId: string }[] {
  const byTrace = new Map(results.filter((r) => r.objectWriteTraceId).map((r) => [r.objectWriteTraceId!, r.id]));
  if (byTrace.size === results.length) return entries.filter((e) => byTrace.has(e.messageId)).map((e) => ({ messageId: e.messageId, externalId: byTrace.get(e.messageId)! }));
  if (results.length !== entries.length) throw new ConnectorError('vendor_unavailable', `HubSpot created ${results.length} of ${entries.length} entries`);
  return entries.map((e, i) => ({ messageId: e.messageId, externalId: results[i]!.id }));
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export const hubspotCrm: CrmApi<HubSpotConfig, HubSpotSecrets> = {
  async findContact(query, ctx: Ctx) {
    const filterGroups = [
      ...(query.phone ? ['phone', 'mobilephone'].map((propertyName) => ({ filters: [{ propertyName, operator: 'EQ' as const, value: query.phone! }] })) : []),
      ...(query.email ? [{ filters: [{ propertyName: 'email', operator: 'EQ' as const, value: query.email }] }] : []),
    ];
    if (!filterGroups.length) return null;
    const client = await hubspotClient(ctx);
    const res = await call('contact search', () =>
      client.crm.contacts.searchApi.doSearch({ filterGroups, properties: PROPERTIES, limit: 1, sorts: ['createdate'] } as never),
    );
    const first = (res.results as unknown as HsObject[])[0];
    return first ? toRecord(ctx.config, first) : null;
  },

  async createContact(input, ctx: Ctx) {
    const client = await hubspotClient(ctx);
    const properties: Record<string, string> = { ...splitName(input.name), ...(input.phone ? { phone: input.phone } : {}), ...(input.email ? { email: input.email } : {}) };
    const created = await call('contact create', () => client.crm.contacts.basicApi.create({ properties, associations: [] }));
    return toRecord(ctx.config, created as unknown as HsObject);
  },

  async logMessages({ record, entries }, ctx: Ctx) {
    const client = await hubspotClient(ctx);
    const logged: { messageId: string; externalId: string }[] = [];
    const emails = entries.filter((e) => e.channel === 'email');
    const comms = entries.filter((e) => e.channel !== 'email');
    for (const batch of chunks(comms, BATCH_SIZE)) {
      const res = await call('communications batch create', () =>
        client.crm.objects.communications.batchApi.create({ inputs: batch.map((e) => communicationInput(record.externalId, e)) as never }),
      );
      logged.push(...matchResults(batch, res.results as unknown as HsObject[]));
    }
    for (const batch of chunks(emails, BATCH_SIZE)) {
      const res = await call('emails batch create', () => client.crm.objects.emails.batchApi.create({ inputs: batch.map((e) => emailInput(record.externalId, e)) as never }));
      logged.push(...matchResults(batch, res.results as unknown as HsObject[]));
    }
    return { logged };
  },

  async logNote({ record, note }, ctx: Ctx) {
    const client = await hubspotClient(ctx);
    const created = await call('note create', () =>
      client.crm.objects.notes.basicApi.create({
        properties: { hs_timestamp: note.at, hs_note_body: note.text },
        associations: [{ to: { id: record.externalId }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: NOTE_TO_CONTACT }] }],
      }),
    );
    return { externalId: String((created as unknown as HsObject).id) };
  },
};
