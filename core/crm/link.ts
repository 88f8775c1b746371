import type { CrmQuery, CrmRecord } from '../../connectors/kit/index.ts';
import type { Engine } from '../engine.ts';
import { AppError } from '../errors.ts';
import { addLink } from '../identity/links.ts';
import { getContact } from '../identity/views.ts';
import type { LinkView } from '../identity/views.ts';
import { integrationContext, withAuthRetry } from '../connections/oauth.ts';
import { createLogger } from '../logger.ts';
import { crmRuntime } from './connection.ts';

/**
 * Links a contact to its record in a CRM: the record is looked up by the contact's phone numbers,
 * then its email addresses, and created when nothing matches (if the connector can create). The
 * link is stored in external_links (system = connector id). Idempotent: an existing link for the
 * system is returned without calling the provider. Provider calls run between transactions.
 */
export type CrmEngine = Pick<Engine, 'tenant' | 'connectors'>;

export interface LinkResult {
  link: LinkView;
  /** true: the provider was called and a link stored now (false: it existed). */
  linked: boolean;
  /** true: the CRM record was created because nothing matched. */
  createdInCrm: boolean;
}

const log = createLogger('crm');

export async function linkContact(engine: CrmEngine, orgId: string, input: { contactId: string; connectionId: string }): Promise<LinkResult> {
  const { rt, contact } = await engine.tenant(orgId, async (tx) => ({
    rt: await crmRuntime(tx, engine.connectors, input.connectionId, 'crm.lookup'),
    contact: await getContact(tx, input.contactId),
  }));
  const system = rt.def.id;
  const existing = contact.links.find((l) => l.system === system);
  if (existing) return { link: existing, linked: false, createdInCrm: false };

  const phones = contact.handles.filter((h) => h.kind === 'phone' || h.kind === 'whatsapp').map((h) => h.value);
  const emails = contact.handles.filter((h) => h.kind === 'email').map((h) => h.value);
  const ctx = await integrationContext(engine, orgId, rt);
  let record: CrmRecord | null = null;
  const queries: CrmQuery[] = [...[...new Set(phones)].map((phone) => ({ phone })), ...[...new Set(emails)].map((email) => ({ email }))];
  for (const query of queries) {
    record = await withAuthRetry(ctx, () => rt.crm.findContact(query, ctx));
    if (record) break;
  }
  let createdInCrm = false;
  if (!record) {
    if (!rt.crm.createContact) throw new AppError('unprocessable', `${system}: no record matches the contact and the connector cannot create one`);
    const fields = { ...(contact.name ? { name: contact.name } : {}), ...(phones[0] ? { phone: phones[0] } : {}), ...(emails[0] ? { email: emails[0] } : {}) };
    record = await withAuthRetry(ctx, () => rt.crm.createContact!(fields, ctx));
    createdInCrm = true;
  }
  const found = record;
  const { link } = await engine.tenant(orgId, (tx) =>
    addLink(tx, input.contactId, { system, externalId: found.externalId, url: found.url ?? null, data: { connectionId: input.connectionId, ...(found.data ?? {}) } }),
  );
  log.info({ orgId, contactId: input.contactId, connectionId: input.connectionId, system, createdInCrm }, 'contact linked');
  return { link, linked: true, createdInCrm };
}
