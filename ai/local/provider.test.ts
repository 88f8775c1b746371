import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createLocalProvider } from './provider.ts';
import { DEFAULT_INTENTS } from '../intents.ts';
import { isHeldOut, loadConversations, loadMessages, split } from '../eval/dataset.ts';
import { classification, entityCounts, factRecall } from '../eval/metrics.ts';

const msg = (text: string) => ({ intents: DEFAULT_INTENTS, savedReplies: [], messages: [{ id: 'm1', direction: 'inbound' as const, text }], messageId: 'm1' });

test('the Done-means message: emergency, negative, unit 4B', async () => {
  const { enrichment } = await createLocalProvider().enrich({ ...msg('water is pouring through my ceiling in 4B!!'), tasks: ['intent', 'sentiment', 'entities'] });
  assert.equal(enrichment.intent?.id, 'emergency');
  assert.equal(enrichment.sentiment?.label, 'negative');
  assert.ok(enrichment.sentiment!.score < -0.5, `score ${enrichment.sentiment!.score}`);
  assert.deepEqual(enrichment.entities, [{ type: 'unit', text: '4B', start: 39, end: 41 }]);
});

test('an org intent the labelled set does not know is learned from its description and examples', async () => {
  const intents = [...DEFAULT_INTENTS, { id: 'pool_access', description: 'Pool key fob, pool hours, pool gate access', examples: ['my pool fob stopped working', 'can I get a second pool key'] }];
  const { enrichment } = await createLocalProvider().enrich({ ...msg('the pool gate wont open with my fob'), intents, tasks: ['intent'] });
  assert.equal(enrichment.intent?.id, 'pool_access');
});

test('suggested replies: the saved reply tagged with the intent comes first', async () => {
  const savedReplies = [
    { id: 'hours', text: 'Our office is open 9 to 5 on weekdays.' },
    { id: 'oncall', text: 'Our on-call plumber is on the way. Shut the water valve if you can.', intents: ['emergency'] },
  ];
  const { enrichment } = await createLocalProvider().enrich({ ...msg('pipe burst, water everywhere!!'), savedReplies, tasks: ['intent', 'replies'] });
  assert.equal(enrichment.suggestedReplies?.[0]?.id, 'oncall');
});

test('the evaluation set: ≥ 300 messages over 4 verticals and 10 intents, ≥ 30 conversations, a held-out split disjoint from training', () => {
  const all = loadMessages();
  assert.ok(all.length >= 300, `${all.length} messages`);
  assert.deepEqual(new Set(all.map((m) => m.vertical)), new Set(['contractors', 'field-service', 'property', 'sales']));
  assert.deepEqual(new Set(all.map((m) => m.intent)), new Set(DEFAULT_INTENTS.map((i) => i.id)));
  assert.ok(all.some((m) => /[áéíóúñ¿]/.test(m.text)), 'some Spanish');
  for (const m of all) for (const e of m.entities) assert.equal(m.text.slice(e.start, e.end), e.text);
  assert.ok(loadConversations().length >= 30);
  const { train, test: held } = split(all);
  assert.ok(held.length > 60 && train.length > 200);
  assert.ok(held.every((m) => isHeldOut(m.id)) && !train.some((m) => isHeldOut(m.id)));
});

test('metrics: macro-F1, overlapping entity spans, fact alternatives', () => {
  const c = classification([{ gold: 'a', pred: 'a' }, { gold: 'b', pred: 'a' }]);
  assert.equal(c.accuracy, 0.5);
  assert.equal(Math.round(c.macroF1 * 1000), 333); // a: P .5 R 1 F1 .667; b: 0
  assert.deepEqual(entityCounts([{ type: 'date', text: 'next Tuesday', start: 0, end: 12 }], [{ type: 'date', start: 5, end: 12 }, { type: 'time', start: 20, end: 24 }]), { tp: 1, fp: 1, fn: 0 });
  assert.deepEqual(factRecall('Agent: booked for Tuesday, refund issued', [['tuesday'], ['call first', 'refund'], ['4B']]), { found: 2, total: 3 });
});
