import { defineRoute, type RouteSpec } from '../http/route.ts';
import { HANDLE_KINDS, type HandleInput } from '../../core/identity/handles.ts';
import { addHandle, createContact, removeHandle, updateContact, type ContactInput, type ContactPatch } from '../../core/identity/contacts.ts';
import { getContact, listContacts } from '../../core/identity/views.ts';
import { listMerges, mergeContacts, undoMerge } from '../../core/identity/merge.ts';
import { addLink, removeLink, type LinkInput } from '../../core/identity/links.ts';
import { recordAudit } from '../../core/audit/record.ts';
import { actorRef, auditBy } from '../http/audit.ts';

/** Contacts, their handles, merges and external links. Every handler runs in one tenant transaction. */
const handleInput = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'value'],
  properties: {
    kind: { type: 'string', enum: [...HANDLE_KINDS], description: 'Channel identity kind' },
    value: {
      type: 'string',
      minLength: 1,
      maxLength: 320,
      description: 'Phone numbers are normalized to E.164 (international format required), emails case-folded, "whatsapp:" prefixes dropped',
    },
  },
};

const name = { type: ['string', 'null'], maxLength: 256, description: 'Display name (encrypted at rest)' };
const timezone = { type: ['string', 'null'], minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. America/New_York' };
const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Page size' },
  cursor: { type: 'string', description: 'nextCursor of the previous page' },
};

const handleView = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uuid' }, kind: { type: 'string' }, value: { type: 'string' } },
};
const linkView = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    system: { type: 'string' },
    externalId: { type: 'string' },
    url: { type: ['string', 'null'] },
    data: { type: 'object' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};
const contactView = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'contact' },
    name: { type: ['string', 'null'] },
    attributes: { type: 'object' },
    timezone: { type: ['string', 'null'] },
    handles: { type: 'array', items: handleView },
    links: { type: 'array', items: linkView },
    mergedInto: { type: ['string', 'null'], description: 'Set when this contact was merged into another: follow it' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};
const mergeView = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'contact_merge' },
    survivorId: { type: 'string', format: 'uuid' },
    mergedId: { type: 'string', format: 'uuid' },
    moved: { type: 'object', description: 'Rows moved to the survivor, per kind' },
    actor: { type: 'string', description: 'Who merged: user:<id>, api_key:<id> or platform:<id>' },
    undoneBy: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    undoneAt: { type: ['string', 'null'], format: 'date-time' },
  },
};
const page = (item: object) => ({
  type: 'object',
  properties: { data: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] }, hasMore: { type: 'boolean' } },
});
const deleted = (object: string) => ({
  type: 'object',
  properties: { id: { type: 'string' }, object: { const: object }, deleted: { const: true }, contact: contactView },
});

const tag = 'Contacts';

export const contactRoutes: RouteSpec[] = [
  defineRoute<ContactInput>({
    method: 'post',
    path: '/v1/contacts',
    summary: 'Create a contact, optionally with handles (409 if a handle already belongs to a contact)',
    tag,
    scope: 'contacts:write',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name,
        attributes: { type: 'object', maxProperties: 100, description: 'Free-form attributes (encrypted at rest)' },
        timezone,
        handles: { type: 'array', maxItems: 20, items: handleInput, description: 'Phone numbers, emails, app user ids… of this person' },
      },
    },
    response: contactView,
    handler: ({ engine, auth, body }) => engine.tenant(auth.orgId, (tx) => createContact(tx, body)),
  }),
  defineRoute<unknown, { limit?: number; cursor?: string; handle?: HandleInput }>({
    method: 'get',
    path: '/v1/contacts',
    summary: 'List contacts, newest first (merged-away contacts are left out)',
    tag,
    scope: 'contacts:read',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...pageQuery,
        handle: { ...handleInput, description: 'Find the contact holding this handle: handle[kind]=phone&handle[value]=+14155550134' },
      },
    },
    response: page(contactView),
    handler: ({ engine, auth, query }) => engine.tenant(auth.orgId, (tx) => listContacts(tx, query)),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/contacts/:id',
    summary: 'Get a contact (a merged-away contact is returned with mergedInto set)',
    tag,
    scope: 'contacts:read',
    response: contactView,
    handler: ({ engine, auth, params }) => engine.tenant(auth.orgId, (tx) => getContact(tx, params.id)),
  }),
  defineRoute<ContactPatch>({
    method: 'patch',
    path: '/v1/contacts/:id',
    summary: 'Update name, attributes or time zone',
    tag,
    scope: 'contacts:write',
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name,
        attributes: { type: 'object', maxProperties: 100, description: 'Merged key by key into the stored attributes; a key set to null is removed' },
        timezone,
      },
    },
    response: contactView,
    handler: ({ engine, auth, params, body }) => engine.tenant(auth.orgId, (tx) => updateContact(tx, params.id, body)),
  }),
  defineRoute<HandleInput>({
    method: 'post',
    path: '/v1/contacts/:id/handles',
    summary: 'Add a handle (idempotent on the same contact; 409 if another contact holds it)',
    tag,
    scope: 'contacts:write',
    status: 201,
    body: handleInput,
    response: { type: 'object', properties: { handle: handleView, contact: contactView } },
    handler: async ({ engine, auth, params, body }) => {
      const { handle, contact } = await engine.tenant(auth.orgId, (tx) => addHandle(tx, params.id, body));
      return { handle, contact };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/contacts/:id/handles/:handleId',
    summary: 'Remove a handle from a contact',
    tag,
    scope: 'contacts:write',
    response: deleted('handle'),
    handler: async ({ engine, auth, params }) => ({
      id: params.handleId,
      object: 'handle',
      deleted: true,
      contact: await engine.tenant(auth.orgId, (tx) => removeHandle(tx, params.id, params.handleId)),
    }),
  }),
  defineRoute<{ contactId: string }>({
    method: 'post',
    path: '/v1/contacts/:id/merge',
    summary: 'Merge another contact into this one (audited; reversible with the undo endpoint)',
    tag,
    scope: 'contacts:write',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['contactId'],
      properties: { contactId: { type: 'string', format: 'uuid', description: 'The contact to fold into this one' } },
    },
    response: { type: 'object', properties: { merge: mergeView, contact: contactView } },
    handler: ({ engine, auth, params, body, req }) =>
      engine.tenant(auth.orgId, async (tx) => {
        const out = await mergeContacts(tx, params.id, body.contactId, actorRef(auth));
        const details = { mergeId: out.merge.id, mergedId: out.merge.mergedId, moved: out.merge.moved };
        await recordAudit(tx, { ...auditBy({ auth, req }), action: 'contact.merged', target: { type: 'contact', id: params.id }, details });
        return out;
      }),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/contacts/merges/:mergeId/undo',
    summary: 'Undo a merge: both contacts get back exactly what they had',
    tag,
    scope: 'contacts:write',
    response: { type: 'object', properties: { merge: mergeView, contact: contactView, restored: contactView } },
    handler: ({ engine, auth, params, req }) =>
      engine.tenant(auth.orgId, async (tx) => {
        const out = await undoMerge(tx, params.mergeId, actorRef(auth));
        const details = { mergeId: out.merge.id, mergedId: out.merge.mergedId };
        await recordAudit(tx, { ...auditBy({ auth, req }), action: 'contact.unmerged', target: { type: 'contact', id: out.merge.survivorId }, details });
        return out;
      }),
  }),
  defineRoute<unknown, { limit?: number; cursor?: string }>({
    method: 'get',
    path: '/v1/contacts/:id/merges',
    summary: 'Merges this contact took part in, newest first',
    tag,
    scope: 'contacts:read',
    query: { type: 'object', additionalProperties: false, properties: pageQuery },
    response: page(mergeView),
    handler: ({ engine, auth, params, query }) => engine.tenant(auth.orgId, (tx) => listMerges(tx, params.id, query)),
  }),
  defineRoute<LinkInput>({
    method: 'post',
    path: '/v1/contacts/:id/links',
    summary: 'Link the contact to a record in another system (409 if the record is linked to another contact)',
    tag,
    scope: 'contacts:write',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['system', 'externalId'],
      properties: {
        system: { type: 'string', pattern: '^[a-z][a-z0-9_.-]{0,63}$', description: 'The other system, e.g. hubspot, stripe, appfolio' },
        externalId: { type: 'string', minLength: 1, maxLength: 256, description: "The record's id in that system" },
        url: { type: ['string', 'null'], format: 'uri', maxLength: 2048, description: 'Where a person can open the record' },
        data: { type: 'object', maxProperties: 100, description: 'Small, non-sensitive facts about the record (stored unencrypted)' },
      },
    },
    response: { type: 'object', properties: { link: linkView, contact: contactView } },
    handler: async ({ engine, auth, params, body }) => {
      const { link, contact } = await engine.tenant(auth.orgId, (tx) => addLink(tx, params.id, body));
      return { link, contact };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/contacts/:id/links/:linkId',
    summary: 'Remove an external link',
    tag,
    scope: 'contacts:write',
    response: deleted('link'),
    handler: async ({ engine, auth, params }) => ({
      id: params.linkId,
      object: 'link',
      deleted: true,
      contact: await engine.tenant(auth.orgId, (tx) => removeLink(tx, params.id, params.linkId)),
    }),
  }),
];
