import { csvCell } from '../http/csv.ts';
import { defineRoute } from '../http/route.ts';
import { actorRef, auditBy } from '../http/audit.ts';
import { recordAudit } from '../../core/audit/record.ts';
import { invalid } from '../../core/errors.ts';
import { CHANNEL_PATTERN } from '../../core/conversations/channels.ts';
import { findHandle, resolveContactId } from '../../core/identity/contacts.ts';
import { normalizeHandle } from '../../core/identity/handles.ts';
import type { TenantTx } from '../../core/db/tenant.ts';
import {
  CONSENT_SOURCES,
  CONSENT_STATUSES,
  consentHistory,
  consentKey,
  contactConsentKeys,
  consentView,
  listCurrentConsents,
  PURPOSES,
  recordConsent,
  type ConsentKey,
  type ConsentRow,
  type ConsentSource,
  type ConsentStatus,
  type Purpose,
} from '../../core/compliance/consent.ts';

/** The consent ledger: a handle's (or contact's) history and current state, recording consent with evidence, CSV export. */
const consentSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'consent' },
    handleKind: { type: 'string' },
    contactId: { type: ['string', 'null'] },
    channel: { type: 'string' },
    purpose: { enum: [...PURPOSES] },
    status: { enum: [...CONSENT_STATUSES] },
    source: { enum: [...CONSENT_SOURCES] },
    evidence: { type: 'object' },
    recordedAt: { type: 'string', format: 'date-time' },
    recordedBy: { type: 'string' },
  },
};

const handleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'value'],
  properties: { kind: { type: 'string' }, value: { type: 'string', minLength: 1, maxLength: 320 } },
};

interface Who {
  handle?: { kind: string; value: string };
  contactId?: string;
}

async function keysOf(tx: TenantTx, who: Who, prefix = ''): Promise<{ keys: ConsentKey[]; contactId: string | null }> {
  if (who.handle && who.contactId) throw invalid(`${prefix}/contactId`, 'give handle or contactId, not both');
  if (who.handle) {
    const h = normalizeHandle(who.handle, `${prefix}/handle/value`);
    return { keys: [consentKey(tx, h)], contactId: (await findHandle(tx, h))?.contact_id ?? null };
  }
  if (who.contactId) {
    const contactId = await resolveContactId(tx, who.contactId, `${prefix}/contactId`);
    return { keys: await contactConsentKeys(tx, contactId), contactId };
  }
  throw invalid(`${prefix}/handle`, 'handle or contactId is required');
}

export const consentRoutes = [
  defineRoute<unknown, Who>({
    method: 'get',
    path: '/v1/consents',
    summary: "A handle's or contact's consent history (oldest first) and current state per channel and purpose",
    tag: 'Compliance',
    scope: 'contacts:read',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: { handle: handleSchema, contactId: { type: 'string', format: 'uuid' } },
    },
    response: { type: 'object', properties: { object: { const: 'consent_history' }, history: { type: 'array', items: consentSchema }, current: { type: 'array', items: consentSchema } } },
    handler: ({ engine, auth, query }) =>
      engine.tenant(auth.orgId, async (tx) => ({ object: 'consent_history', ...(await consentHistory(tx, (await keysOf(tx, query)).keys)) })),
  }),
  defineRoute<unknown, { status?: ConsentStatus; channel?: string; purpose?: Purpose; contactId?: string; limit?: number; cursor?: string }>({
    method: 'get',
    path: '/v1/consents/current',
    summary: "The current consent state of every handle, channel and purpose (its latest ledger entry), most recently changed first; status=opted_out is the opt-out list",
    tag: 'Compliance',
    scope: 'contacts:read',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: { enum: [...CONSENT_STATUSES] },
        channel: { type: 'string', pattern: CHANNEL_PATTERN, description: "mms is kept under sms" },
        purpose: { enum: [...PURPOSES] },
        contactId: { type: 'string', format: 'uuid' },
        limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
        cursor: { type: 'string', description: 'nextCursor of the previous page' },
      },
    },
    response: {
      type: 'object',
      properties: {
        object: { const: 'list' },
        data: {
          type: 'array',
          items: {
            ...consentSchema,
            properties: {
              ...consentSchema.properties,
              object: { const: 'consent_state' },
              handleIndex: { type: 'string', description: "The handle's blind index (hex): the ledger keeps no handle value" },
              handle: {
                type: ['object', 'null'],
                properties: { kind: { type: 'string' }, value: { type: 'string' } },
                description: 'The handle, when a contact that still holds it is linked; null otherwise',
              },
            },
          },
        },
        nextCursor: { type: ['string', 'null'] },
        hasMore: { type: 'boolean' },
      },
    },
    handler: ({ engine, auth, query }) => engine.tenant(auth.orgId, async (tx) => ({ object: 'list', ...(await listCurrentConsents(tx, query)) })),
  }),
  defineRoute<Who & { channel: string; purpose?: Purpose; status: ConsentStatus; source?: ConsentSource; evidence?: Record<string, unknown> }>({
    method: 'post',
    path: '/v1/consents',
    summary: 'Record consent (an opt-in with its evidence, or an opt-out) for a handle or a contact',
    tag: 'Compliance',
    scope: 'contacts:write',
    status: 201,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['channel', 'status'],
      properties: {
        handle: handleSchema,
        contactId: { type: 'string', format: 'uuid' },
        channel: { type: 'string', pattern: CHANNEL_PATTERN },
        purpose: { enum: [...PURPOSES], description: 'Default: both purposes' },
        status: { enum: [...CONSENT_STATUSES] },
        source: { enum: ['api', 'form', 'import'], default: 'api' },
        evidence: {
          type: 'object',
          maxProperties: 30,
          description: 'What proves it: ip, form url, the text shown, a timestamp… (no phone numbers or addresses: the handle is referenced by its blind index)',
        },
      },
    },
    response: { type: 'object', properties: { object: { const: 'list' }, data: { type: 'array', items: consentSchema } } },
    handler: (ctx) =>
      ctx.engine.tenant(ctx.auth.orgId, async (tx) => {
        const b = ctx.body;
        const { keys, contactId } = await keysOf(tx, b);
        if (!keys.length) throw invalid('/contactId', 'the contact has no handle to record consent for');
        const ids: string[] = [];
        for (const key of keys) {
          ids.push(
            ...(await recordConsent(tx, {
              key,
              contactId,
              channel: b.channel,
              purposes: b.purpose ? [b.purpose] : PURPOSES,
              status: b.status,
              source: b.source ?? 'api',
              evidence: b.evidence ?? {},
              recordedBy: actorRef(ctx.auth),
            })),
          );
        }
        await recordAudit(tx, {
          ...auditBy(ctx),
          action: 'consent.recorded',
          target: contactId ? { type: 'contact', id: contactId } : null,
          details: { consentIds: ids, channel: b.channel, status: b.status, source: b.source ?? 'api' },
        });
        const rows: ConsentRow[] = await tx.trx('consents').whereIn('id', ids).orderBy('seq');
        return { object: 'list', data: rows.map(consentView) };
      }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/consents/export.csv',
    summary: "The org's whole consent ledger as CSV (audited as an export)",
    tag: 'Compliance',
    scope: 'admin',
    handler: (ctx) =>
      ctx.engine.tenant(ctx.auth.orgId, async (tx) => {
        const rows: (ConsentRow & { handle_index: Buffer })[] = await tx.trx('consents').orderBy('recorded_at').orderBy('seq');
        const head = ['id', 'handle_kind', 'handle_index', 'contact_id', 'channel', 'purpose', 'status', 'source', 'evidence', 'recorded_at', 'recorded_by'];
        const lines = rows.map((r) => {
          const v = consentView(r);
          return [v.id, v.handleKind, Buffer.from(r.handle_index).toString('hex'), v.contactId, v.channel, v.purpose, v.status, v.source, v.evidence, v.recordedAt, v.recordedBy]
            .map(csvCell)
            .join(',');
        });
        await recordAudit(tx, { ...auditBy(ctx), action: 'consent.exported', details: { rows: rows.length } });
        ctx.res.status(200).type('text/csv; charset=utf-8').setHeader('Content-Disposition', 'attachment; filename="consents.csv"');
        ctx.res.send([head.join(','), ...lines].join('\r\n') + '\r\n');
        return undefined;
      }),
  }),
];
