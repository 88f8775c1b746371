import { appendEvent } from '../../core/events/events.ts';
import type { TransactionalAction } from './types.ts';

/**
 * emit_event: appends `rule.<name>` (name: the action's, else the rule's name as a slug) with the
 * templated data, the rule and causedBy — other rules, webhooks and /v1/sync see it like any event.
 */
export interface EmitEventAction {
  type: 'emit_event';
  name?: string;
  data?: Record<string, unknown>;
}

export const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60) || 'event';

const eventType = (a: EmitEventAction, ruleName: string) => `rule.${slug(a.name ?? ruleName)}`;

export const emitEvent: TransactionalAction<EmitEventAction> = {
  type: 'emit_event',
  mode: 'transactional',
  description: 'Append a custom event rule.<name> to the event feed.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: { type: { const: 'emit_event' }, name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,60}$' }, data: { type: 'object', maxProperties: 50 } },
  },
  async preview(a, env) {
    return { type: eventType(a, env.rule.name), data: a.data ?? {} };
  },
  async run(a, env, tx) {
    const type = eventType(a, env.rule.name);
    const c = env.context;
    await appendEvent(tx, {
      type,
      conversationId: c.conversation?.id ?? null,
      subjectId: c.event.id,
      data: { ...a.data, rule: { id: env.rule.id, version: env.rule.version }, sourceEventId: c.event.id, causedBy: env.causedBy },
    });
    return { log: { type } };
  },
};
