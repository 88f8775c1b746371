import { linkContact } from '../../core/crm/link.ts';
import { pickConnection } from '../../core/crm/connection.ts';
import { contactOf, crmRefOneOf, crmRefProps, type CrmActionRef } from './crm-target.ts';
import type { ExternalAction } from './types.ts';

/**
 * link_contact: links the event's contact to its record in a CRM (found by phone, then email,
 * else created) — external_links, idempotent: an existing link makes no provider call.
 */
export interface LinkContactAction extends CrmActionRef {
  type: 'link_contact';
}

export const linkContactAction: ExternalAction<LinkContactAction> = {
  type: 'link_contact',
  mode: 'external',
  description: "Link the contact to its CRM record (find by phone or email, else create).",
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    oneOf: crmRefOneOf,
    properties: { type: { const: 'link_contact' }, ...crmRefProps },
  },
  async preview(a, env, tx) {
    const contactId = contactOf(env, 'link_contact');
    const connectionId = await pickConnection(tx, a, 'link_contact');
    return { contactId, connectionId, alreadyLinked: !!env.context.contact?.links.some((l) => l.data?.connectionId === connectionId) };
  },
  async run(a, env) {
    const orgId = env.context.org.id;
    const contactId = contactOf(env, 'link_contact');
    const connectionId = await env.engine.tenant(orgId, (tx) => pickConnection(tx, a, 'link_contact'));
    const r = await linkContact(env.engine, orgId, { contactId, connectionId });
    return { log: { contactId, connectionId, linkId: r.link.id, system: r.link.system, linked: r.linked, createdInCrm: r.createdInCrm } };
  },
};
