import { defineRoute } from '../http/route.ts';
import { enrich, enrichmentView } from '../../ai/enrich.ts';
import { latestEnrichment } from '../../ai/store.ts';
import { notFound } from '../../core/errors.ts';
import type { Task } from '../../ai/provider.ts';
import { correctMessage, getCorrection, type CorrectionInput } from '../../ai/corrections.ts';
import { aiSettings } from '../../ai/settings.ts';
import { orgSettings } from '../../core/org-settings.ts';
import { recordAudit } from '../../core/audit/record.ts';
import { auditBy } from '../http/audit.ts';

const taskEnum = { type: 'string', enum: ['intent', 'sentiment', 'entities', 'summary', 'replies'] } as const;

const enrichmentSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'enrichment' },
    subject: { type: 'object', properties: { type: { type: 'string', enum: ['message', 'conversation'] }, id: { type: 'string' } } },
    conversationId: { type: 'string' },
    version: { type: 'string', description: 'The id of the latest message the result covers: a new message makes a new version.' },
    tasks: { type: 'array', items: taskEnum },
    provider: { type: 'string', enum: ['local', 'openai'] },
    model: { type: ['string', 'null'] },
    fallback: { type: ['string', 'null'], description: 'Why the AI connection was not used or failed: hipaa_not_baa, budget_exhausted, invalid_output, timeout, provider_error.' },
    cached: { type: 'boolean', description: 'true: the stored result for this version, nothing was recomputed.' },
    createdAt: { type: 'string', format: 'date-time' },
    intent: { type: 'object', properties: { id: { type: 'string' }, confidence: { type: 'number' } } },
    sentiment: { type: 'object', properties: { label: { type: 'string', enum: ['negative', 'neutral', 'positive'] }, score: { type: 'number' } } },
    entities: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, text: { type: 'string' }, start: { type: 'integer' }, end: { type: 'integer' } } } },
    summary: { type: 'string' },
    suggestedReplies: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, text: { type: 'string' }, score: { type: 'number' } } } },
  },
};

const correctionSchema = {
  type: 'object',
  properties: {
    object: { const: 'ai_correction' },
    messageId: { type: 'string', format: 'uuid' },
    intent: { type: ['string', 'null'] },
    sentiment: { type: ['string', 'null'], enum: ['negative', 'neutral', 'positive', null] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

/** On-demand AI enrichment of a conversation, and the org's corrections of a message's classification (ai/README.md). */
export const aiRoutes = [
  defineRoute<{ tasks?: Task[] }>({
    method: 'post',
    path: '/v1/conversations/:id/enrich',
    summary: 'Enrich a conversation now (summary, intent, sentiment, entities, suggested replies); the stored result is returned unless a new message arrived',
    tag: 'Conversations',
    scope: 'conversations:write',
    body: { type: 'object', additionalProperties: false, properties: { tasks: { type: 'array', minItems: 1, uniqueItems: true, items: taskEnum } } },
    response: enrichmentSchema,
    handler: async ({ engine, auth, params, body }) => {
      const { record, cached } = await enrich(engine, auth.orgId, { conversationId: params.id!, ...(body.tasks ? { tasks: body.tasks } : {}) });
      return enrichmentView(record, cached);
    },
  }),
  defineRoute<CorrectionInput>({
    method: 'put',
    path: '/v1/messages/:id/ai-correction',
    summary: 'Correct the intent and/or sentiment AI gave an inbound message: the org’s local classifier learns from it (audited as ai.corrected)',
    tag: 'Messages',
    scope: 'conversations:write',
    body: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        intent: { type: 'string', description: 'One of the org’s intent ids (settings.ai.intents).' },
        sentiment: { type: 'string', enum: ['negative', 'neutral', 'positive'] },
      },
    },
    response: correctionSchema,
    handler: ({ engine, auth, req, params, body }) =>
      engine.tenant(auth.orgId, async (tx) => {
        const correction = await correctMessage(tx, params.id!, body, aiSettings(await orgSettings(tx.trx, auth.orgId)));
        // Labels only: the message's text stays out of the audit trail.
        await recordAudit(tx, { ...auditBy({ auth, req }), action: 'ai.corrected', target: { type: 'message', id: params.id! }, details: { intent: correction.intent, sentiment: correction.sentiment } });
        return correction;
      }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/messages/:id/ai-correction',
    summary: 'The org’s correction of a message’s AI classification',
    tag: 'Messages',
    scope: 'conversations:read',
    response: correctionSchema,
    handler: ({ engine, auth, params }) => engine.tenant(auth.orgId, (tx) => getCorrection(tx, params.id!)),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/conversations/:id/enrichment',
    summary: 'The conversation’s newest AI enrichment',
    tag: 'Conversations',
    scope: 'conversations:read',
    response: enrichmentSchema,
    handler: async ({ engine, auth, params }) =>
      engine.tenant(auth.orgId, async (tx) => {
        const r = await latestEnrichment(tx, 'conversation', params.id!);
        if (!r) throw notFound('enrichment');
        return enrichmentView(r, true);
      }),
  }),
];
