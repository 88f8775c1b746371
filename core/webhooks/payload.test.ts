import { test } from 'vitest';
import assert from 'node:assert/strict';
import { buildPayload } from './payload.ts';
import { withDefaults } from '../org-settings.ts';
import type { EngineEvent } from '../events/events.ts';

const event: EngineEvent = {
  id: 'e1',
  type: 'message.created',
  orgId: 'o1',
  conversationId: 'c1',
  subjectId: 'm1',
  createdAt: '2026-11-27T10:00:00.000Z',
  cursor: 'x',
  data: { message: { id: 'm1', conversationId: 'c1', body: 'card 4111 1111 1111 1111', subject: null, direction: 'inbound' } },
};

test('the payload carries the event, its ids and the feed sequence', () => {
  const p = buildPayload(event, '42', withDefaults({}));
  assert.deepEqual(
    { id: p.id, type: p.type, orgId: p.orgId, conversationId: p.conversationId, sequence: p.sequence, createdAt: p.createdAt },
    { id: 'e1', type: 'message.created', orgId: 'o1', conversationId: 'c1', sequence: 42, createdAt: '2026-11-27T10:00:00.000Z' },
  );
  assert.equal((p.data.message as any).body, 'card 4111 1111 1111 1111');
});

test('HIPAA mode sends ids and type only', () => {
  const p = buildPayload(event, 1, { ...withDefaults({}), hipaaMode: true });
  assert.deepEqual(p.data, { thin: true, message: { id: 'm1' } }, 'the same thin data as the HIPAA feed; conversationId is on the envelope');
  assert.equal(p.conversationId, event.conversationId);
  assert.ok(!JSON.stringify(p).includes('4111'));
});

test('safe mode redacts message text on the way out, leaving the event untouched', () => {
  const p = buildPayload(event, 1, withDefaults({ safeMode: { enabled: true, apply: 'before_egress' } }));
  assert.ok(!String((p.data.message as any).body).includes('4111 1111'));
  assert.equal((event.data.message as any).body, 'card 4111 1111 1111 1111');
});
