import { actorRef } from '../http/audit.ts';
import { v7 as uuidv7 } from 'uuid';
import { defineRoute } from '../http/route.ts';
import { AppError } from '../../core/errors.ts';
import type { EngineEvent } from '../../core/events/events.ts';
import type { TenantTx } from '../../core/db/tenant.ts';
import { createRule, deleteRule, findRuleRow, getRule, listRules, listVersions, updateRule, type RuleInput } from '../../rules/store.ts';
import { listExecutions } from '../../rules/executions.ts';
import { loadEvent, testRule } from '../../rules/runner.ts';
import { TRIGGER_PATTERN } from '../../rules/validate.ts';

/** /v1/rules: CRUD (every change = a new version), dry-run test, execution log. Admin scope. */
export const ruleProps = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  description: { type: ['string', 'null'], maxLength: 2000 },
  trigger: {
    type: 'string',
    pattern: TRIGGER_PATTERN,
    maxLength: 200,
    description: 'message.received, message.sent, message.status_changed, conversation.created, conversation.updated, contact.created, or any event type such as servicetitan.job.dispatched',
  },
  condition: { description: 'json-logic (rules/README.md: context and operators); default true' },
  actions: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } },
  priority: { type: 'integer', minimum: -1_000_000, maximum: 1_000_000, description: 'Lower runs first (default 100).' },
  stopAfter: { type: 'boolean', description: 'When this rule matches, lower-priority rules do not run for the event.' },
  enabled: { type: 'boolean' },
} as const;

const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { cursor: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
} as const;

/** What a dry run is evaluated against: a sample event, or a past event of the org by id. */
export interface TestEventInput {
  event?: { type: string; data?: Record<string, unknown>; conversationId?: string };
  eventId?: string;
}

export const testEventProps = {
  event: {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: { type: { type: 'string', minLength: 1, maxLength: 200 }, data: { type: 'object' }, conversationId: { type: 'string', format: 'uuid' } },
  },
  eventId: { type: 'string', format: 'uuid' },
} as const;

export async function testEventOf(tx: TenantTx, orgId: string, body: TestEventInput): Promise<EngineEvent> {
  if (body.eventId) {
    return loadEvent(tx, body.eventId).catch((err) => {
      throw err instanceof AppError && err.code === 'not_found' ? new AppError('not_found', `No such event: ${body.eventId}.`, { details: [{ field: '/eventId', reason: 'no such event' }] }) : err;
    });
  }
  const e = body.event!;
  return { id: uuidv7(), type: e.type, orgId, conversationId: e.conversationId ?? null, subjectId: null, createdAt: new Date().toISOString(), cursor: '', data: e.data ?? {} };
}

export const ruleRoutes = [
  defineRoute<RuleInput>({
    method: 'post',
    path: '/v1/rules',
    summary: 'Create a rule (trigger + json-logic condition + ordered actions)',
    tag: 'Rules',
    scope: 'admin',
    status: 201,
    body: { type: 'object', additionalProperties: false, required: ['name', 'trigger', 'actions'], properties: ruleProps },
    handler: ({ engine, auth, body }) => engine.tenant(auth.orgId, (tx) => createRule(tx, body, actorRef(auth))),
  }),
  defineRoute<unknown, { trigger?: string; cursor?: string; limit?: number }>({
    method: 'get',
    path: '/v1/rules',
    summary: "The org's rules, newest first",
    tag: 'Rules',
    scope: 'admin',
    query: { ...pageQuery, properties: { ...pageQuery.properties, trigger: { type: 'string' } } },
    handler: ({ engine, auth, query }) => engine.tenant(auth.orgId, (tx) => listRules(tx, query)),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/rules/:id',
    summary: 'Get a rule (current version)',
    tag: 'Rules',
    scope: 'admin',
    handler: ({ engine, auth, params }) => engine.tenant(auth.orgId, (tx) => getRule(tx, params.id)),
  }),
  defineRoute<Partial<RuleInput>>({
    method: 'patch',
    path: '/v1/rules/:id',
    summary: 'Change a rule: the result is a new version',
    tag: 'Rules',
    scope: 'admin',
    body: { type: 'object', additionalProperties: false, minProperties: 1, properties: ruleProps },
    handler: ({ engine, auth, params, body }) => engine.tenant(auth.orgId, (tx) => updateRule(tx, params.id, body, actorRef(auth))),
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/rules/:id',
    summary: 'Delete a rule (its executions stay readable)',
    tag: 'Rules',
    scope: 'admin',
    handler: ({ engine, auth, params }) =>
      engine.tenant(auth.orgId, async (tx) => {
        await deleteRule(tx, params.id);
        return { id: params.id, deleted: true };
      }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/rules/:id/versions',
    summary: 'Every version of a rule, newest first',
    tag: 'Rules',
    scope: 'admin',
    handler: ({ engine, auth, params }) => engine.tenant(auth.orgId, async (tx) => ({ data: await listVersions(tx, params.id) })),
  }),
  defineRoute<unknown, { cursor?: string; limit?: number }>({
    method: 'get',
    path: '/v1/rules/:id/executions',
    summary: 'Executions of a rule, newest first (version, decision, actions done, errors)',
    tag: 'Rules',
    scope: 'admin',
    query: pageQuery,
    handler: ({ engine, auth, params, query }) => engine.tenant(auth.orgId, (tx) => listExecutions(tx, params.id, query)),
  }),
  defineRoute<TestEventInput>({
    method: 'post',
    path: '/v1/rules/:id/test',
    summary: 'Evaluate the rule against a sample event or a past event of the org; returns what it would do, sending nothing',
    tag: 'Rules',
    scope: 'admin',
    body: { type: 'object', additionalProperties: false, oneOf: [{ required: ['event'] }, { required: ['eventId'] }], properties: testEventProps },
    handler: ({ engine, auth, params, body }) =>
      engine.tenant(auth.orgId, async (tx) => testRule(engine, tx, await findRuleRow(tx, params.id), await testEventOf(tx, auth.orgId, body))),
  }),
];
