import { defineRoute } from '../http/route.ts';
import { draftRuleRow, type RuleInput } from '../../rules/store.ts';
import { testRule } from '../../rules/runner.ts';
import { vocabulary } from '../../rules/vocabulary.ts';
import { ruleProps, testEventOf, testEventProps, type TestEventInput } from './rules.ts';

/**
 * What a rule editor needs besides CRUD: the vocabulary (triggers, context fields, operators,
 * action schemas) and a dry run of a DRAFT (not saved yet) against a real or sample event.
 * Listed before ruleRoutes so /v1/rules/vocabulary is not taken for a rule id.
 */
const field = { type: 'object', properties: { path: { type: 'string' }, type: { type: 'string' }, scope: { type: 'string' }, description: { type: 'string' }, enum: { type: 'array', items: { type: 'string' } } } };

export const ruleEditorRoutes = [
  defineRoute({
    method: 'get',
    path: '/v1/rules/vocabulary',
    summary: 'What a rule can be written with: triggers (with the feed event type each reads), context fields, operators, actions and their JSON Schemas',
    tag: 'Rules',
    scope: 'admin',
    response: {
      type: 'object',
      properties: {
        object: { const: 'rule_vocabulary' },
        triggers: { type: 'array', items: { type: 'object', properties: { trigger: { type: 'string' }, eventType: { type: 'string' }, direction: { enum: ['inbound', 'outbound'] }, description: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } } } } },
        fields: { type: 'array', items: field },
        operators: { type: 'array', items: { type: 'object', properties: { op: { type: 'string' }, label: { type: 'string' }, takes: { enum: ['none', 'value', 'values', 'pattern'] }, custom: { type: 'boolean' } } } },
        allOperations: { type: 'array', items: { type: 'string' } },
        customOperations: { type: 'array', items: { type: 'string' } },
        actions: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, description: { type: 'string' }, mode: { enum: ['transactional', 'external'] }, schema: { type: 'object' } } } },
      },
    },
    handler: async () => vocabulary(),
  }),
  defineRoute<TestEventInput & { rule: RuleInput }>({
    method: 'post',
    path: '/v1/rules/test',
    summary: 'Dry-run an unsaved rule (validated as on save) against a past event of the org or a sample event; writes and sends nothing',
    tag: 'Rules',
    scope: 'admin',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['rule'],
      oneOf: [{ required: ['event'] }, { required: ['eventId'] }],
      properties: {
        rule: { type: 'object', additionalProperties: false, required: ['trigger', 'actions'], properties: ruleProps },
        ...testEventProps,
      },
    },
    handler: ({ engine, auth, body }) =>
      engine.tenant(auth.orgId, async (tx) => testRule(engine, tx, draftRuleRow(tx, { ...body.rule, name: body.rule.name ?? 'Draft' }), await testEventOf(tx, auth.orgId, body))),
  }),
];
