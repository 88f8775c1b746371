import { defineRoute } from '../http/route.ts';
import { auditBy } from '../http/audit.ts';
import { exportContact } from '../../core/gdpr/export.ts';
import { eraseContact } from '../../core/gdpr/erase.ts';

/** Data subject rights on a contact: access/portability (export) and erasure. Both are audited. */
const tag = 'Contacts';
const list = (description: string) => ({ type: 'array', items: { type: 'object' }, description });

export const contactGdprRoutes = [
  defineRoute({
    method: 'get',
    path: '/v1/contacts/:id/export',
    summary: 'Everything held about a contact, decrypted, as one JSON document (GDPR access and portability; audited)',
    tag,
    scope: 'contacts:read',
    response: {
      type: 'object',
      properties: {
        object: { const: 'contact_export' },
        exportedAt: { type: 'string', format: 'date-time' },
        contact: { type: 'object', description: 'Name, attributes, time zone' },
        absorbedContacts: list('Contacts merged into this one (their own name and attributes)'),
        handles: list('Phone numbers, emails, app ids… (values decrypted)'),
        links: list('Records in other systems linked to the contact'),
        conversations: list('Conversations the contact is the customer of or takes part in'),
        messages: list('Every message to or from the contact, bodies, subjects and media included'),
        merges: list('Merges the contact (or a contact merged into it) took part in'),
        consents: list('Consent ledger entries for the contact’s handles (present once the ledger exists)'),
      },
    },
    handler: ({ engine, auth, params, req }) => engine.tenant(auth.orgId, (tx) => exportContact(tx, params.id, auditBy({ auth, req }))),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/contacts/:id',
    summary: 'Erase a contact (GDPR): PII destroyed, their message content redacted, events stripped to ids; 409 legal_hold when held. Afterwards the id answers 404.',
    tag,
    scope: 'contacts:write',
    response: {
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        object: { const: 'contact' },
        deleted: { const: true },
        erased: {
          type: 'object',
          description: 'What was destroyed or redacted, per kind',
          properties: Object.fromEntries(
            ['contacts', 'handles', 'links', 'messages', 'conversations', 'events', 'rawInbound', 'idempotentResponses'].map((k) => [k, { type: 'integer' }]),
          ),
        },
      },
    },
    handler: ({ engine, auth, params, req }) => engine.tenant(auth.orgId, (tx) => eraseContact(tx, params.id, auditBy({ auth, req }))),
  }),
];
