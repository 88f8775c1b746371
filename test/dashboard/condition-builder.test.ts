import assert from 'node:assert/strict';
import { test } from 'vitest';
import { eventDataFields, fromJsonLogic, rowProblems, toJsonLogic, withoutProblems, type BuiltCondition } from '../../dashboard/src/pages/rules/condition.ts';
import { diffLines } from '../../dashboard/src/pages/rules/diff.ts';
import { evaluate } from '../../rules/operators.ts';
import { CONTEXT_FIELDS } from '../../rules/vocabulary.ts';

/**
 * The rules editor's condition builder: rows ↔ json-logic, checked against the server's own
 * evaluator (rules/condition.ts) so what the builder writes means what the row says.
 */
const types = Object.fromEntries(CONTEXT_FIELDS.map((f) => [f.path, f.type]));

test('no rows is no condition (true), never {"and": []}', () => {
  assert.equal(toJsonLogic({ combinator: 'and', rows: [] }, types), true);
  assert.deepEqual(fromJsonLogic(true), { combinator: 'and', rows: [] });
  assert.deepEqual(fromJsonLogic(undefined), { combinator: 'and', rows: [] });
});

test('one row is the comparison itself; several are joined by and/or', () => {
  const one: BuiltCondition = { combinator: 'and', rows: [{ field: 'message.body', op: 'contains_any_word', value: 'hours, open now' }] };
  assert.deepEqual(toJsonLogic(one, types), { contains_any_word: [{ var: 'message.body' }, ['hours', 'open now']] });
  const two: BuiltCondition = {
    combinator: 'or',
    rows: [
      { field: 'message.channel', op: '==', value: 'sms' },
      { field: 'message.body', op: 'in', value: 'refund' },
    ],
  };
  assert.deepEqual(toJsonLogic(two, types), { or: [{ '==': [{ var: 'message.channel' }, 'sms'] }, { in: ['refund', { var: 'message.body' }] }] });
});

test('values are typed by the field: a number field compares numbers, not text', () => {
  const logic = toJsonLogic({ combinator: 'and', rows: [{ field: 'time.hour', op: '>=', value: '9' }] }, types);
  assert.deepEqual(logic, { '>=': [{ var: 'time.hour' }, 9] });
  // As text "10" >= "9" is false; as numbers it is true.
  assert.equal(evaluate(logic, { time: { hour: 10 } } as never).matched, true);
  assert.equal(evaluate(logic, { time: { hour: 8 } } as never).matched, false);
});

test('every builder row round-trips through json-logic', () => {
  const built: BuiltCondition = {
    combinator: 'and',
    rows: [
      { field: 'message.body', op: 'contains_any_word', value: 'price, quote' },
      { field: 'message.body', op: 'matches', value: '^stop' },
      { field: 'message.body', op: 'in', value: 'refund' },
      { field: 'contact.name', op: '!!', value: '' },
      { field: 'conversation.subject', op: '!', value: '' },
      { field: 'time.hour', op: '<', value: '17' },
      { field: 'message.channel', op: '!=', value: 'email' },
    ],
  };
  assert.deepEqual(fromJsonLogic(toJsonLogic(built, types)), built);
});

test('nested AND/OR groups round-trip and mean what the server evaluates', () => {
  const built: BuiltCondition = {
    combinator: 'and',
    rows: [
      { field: 'event.data.invoice.amountRemaining', op: '>', value: '0' },
      {
        combinator: 'or',
        rows: [
          { field: 'event.data.invoice.attemptCount', op: '>=', value: '2' },
          { combinator: 'and', rows: [{ field: 'contact.name', op: '!!', value: '' }, { field: 'time.hour', op: '<', value: '17' }] },
        ],
      },
    ],
  };
  const t = { ...types, 'event.data.invoice.amountRemaining': 'number', 'event.data.invoice.attemptCount': 'number' };
  const logic = toJsonLogic(built, t);
  assert.deepEqual(logic, {
    and: [
      { '>': [{ var: 'event.data.invoice.amountRemaining' }, 0] },
      { or: [{ '>=': [{ var: 'event.data.invoice.attemptCount' }, 2] }, { and: [{ '!!': [{ var: 'contact.name' }] }, { '<': [{ var: 'time.hour' }, 17] }] }] },
    ],
  });
  assert.deepEqual(fromJsonLogic(logic), built);
  const ctx = (amount: number, attempts: number, name: string | null, hour: number) => ({ event: { data: { invoice: { amountRemaining: amount, attemptCount: attempts } } }, contact: { name }, time: { hour } }) as never;
  assert.equal(evaluate(logic, ctx(5000, 2, null, 20)).matched, true, 'second attempt');
  assert.equal(evaluate(logic, ctx(5000, 1, 'Ana', 9)).matched, true, 'named contact in office hours');
  assert.equal(evaluate(logic, ctx(5000, 1, 'Ana', 18)).matched, false);
  assert.equal(evaluate(logic, ctx(0, 3, 'Ana', 9)).matched, false, 'nothing owed');
  // An empty nested group adds nothing; a half-typed row inside a group is named by its position and left out.
  assert.deepEqual(toJsonLogic({ combinator: 'and', rows: [{ field: 'time.hour', op: '<', value: '17' }, { combinator: 'or', rows: [] }] }, types), { '<': [{ var: 'time.hour' }, 17] });
  const typing: BuiltCondition = { combinator: 'and', rows: [{ field: 'time.hour', op: '<', value: '17' }, { combinator: 'or', rows: [{ field: 'message.body', op: 'in', value: '' }] }] };
  const problems = rowProblems(typing, types);
  assert.deepEqual(problems, { '1': null, '2.1': 'Type the text to look for.' });
  assert.deepEqual(toJsonLogic(withoutProblems(typing, problems), types), { '<': [{ var: 'time.hour' }, 17] });
});

test("a connector event's data becomes fields: nested objects walked, types read off the values", () => {
  const data = { connectionId: 'c1', invoice: { id: 'in_1', amountRemaining: 5000, paid: false, lines: [{ sku: 'rent' }], customer: { email: 'a@b.c', name: null } }, 'odd.key': 1 };
  assert.deepEqual(eventDataFields(data), [
    { path: 'event.data.connectionId', type: 'string' },
    { path: 'event.data.invoice.id', type: 'string' },
    { path: 'event.data.invoice.amountRemaining', type: 'number' },
    { path: 'event.data.invoice.paid', type: 'boolean' },
    { path: 'event.data.invoice.lines', type: 'array' },
    { path: 'event.data.invoice.customer.email', type: 'string' },
    { path: 'event.data.invoice.customer.name', type: 'string|null' },
  ]);
  assert.deepEqual(eventDataFields(undefined), []);
});

test('json-logic the builder cannot show (other operators, groups nested too deep) is left to the raw view', () => {
  const leaf = { '==': [{ var: 'a' }, 1] };
  assert.notEqual(fromJsonLogic({ and: [{ or: [{ and: [leaf] }] }] }), null, 'three levels are shown');
  assert.equal(fromJsonLogic({ and: [{ or: [{ and: [{ or: [leaf] }] }] }] }), null, 'a fourth is not');
  assert.equal(fromJsonLogic({ within_business_hours: [] }), null);
  assert.equal(fromJsonLogic({ '==': [1, { var: 'a' }] }), null);
  assert.equal(fromJsonLogic({ '==': [{ var: 'a' }, { var: 'b' }] }), null);
});

test('a row with a missing field or value names its problem', () => {
  assert.throws(() => toJsonLogic({ combinator: 'and', rows: [{ field: '', op: '==', value: 'x' }] }, types), /Pick a field/);
  assert.throws(() => toJsonLogic({ combinator: 'and', rows: [{ field: 'message.body', op: 'contains_any_word', value: ' , ' }] }, types), /one or more words/);
});

test('what the builder writes is what the server evaluates: keyword auto-reply on an inbound body', () => {
  const logic = toJsonLogic({ combinator: 'and', rows: [{ field: 'message.body', op: 'contains_any_word', value: 'hours' }] }, types);
  assert.equal(evaluate(logic, { message: { body: 'What are your HOURS?' } } as never).matched, true);
  assert.equal(evaluate(logic, { message: { body: 'happy hoursday' } } as never).matched, false);
  // "contains text" on a missing body is false, not an error (json-logic's `in` throws on null).
  const contains = toJsonLogic({ combinator: 'and', rows: [{ field: 'message.body', op: 'in', value: 'x' }] }, types);
  assert.equal(evaluate(contains, { message: { body: null } } as never).matched, false);
});

test('rule versions diff line by line: only what changed is marked', () => {
  const v1 = JSON.stringify({ name: 'A', enabled: true, priority: 100 }, null, 2);
  const v2 = JSON.stringify({ name: 'A', enabled: false, priority: 100 }, null, 2);
  const d = diffLines(v1, v2);
  assert.deepEqual(
    d.filter((l) => l.kind !== 'same'),
    [
      { kind: 'removed', text: '  "enabled": true,' },
      { kind: 'added', text: '  "enabled": false,' },
    ],
  );
  assert.equal(d.filter((l) => l.kind === 'same').length, 4);
  assert.deepEqual(diffLines('', 'x'), [{ kind: 'removed', text: '' }, { kind: 'added', text: 'x' }]);
  assert.ok(diffLines(v1, v1).every((l) => l.kind === 'same'));
});

test('the enums the builder offers are the values the rule context holds: weekdays sun..sat, every conversation status', async () => {
  const { CONVERSATION_STATUSES } = await import('../../core/conversations/models.ts');
  const { localTime, WEEKDAYS } = await import('../../rules/hours.ts');
  const { businessHoursSettingsSchema } = await import('../../rules/settings.ts');
  const enumOf = (path: string) => CONTEXT_FIELDS.find((f) => f.path === path)?.enum;
  // A week of days from a Sunday: the context's time.weekday for each is in the builder's list, in order.
  const week = Array.from({ length: 7 }, (_, i) => localTime(new Date(Date.UTC(2026, 11, 6 + i, 12)), 'UTC').weekday);
  assert.deepEqual(enumOf('time.weekday'), week);
  assert.deepEqual([...WEEKDAYS], week);
  assert.deepEqual(businessHoursSettingsSchema.properties.days.items.enum, week);
  // A snoozed conversation is a status a rule can test for (PATCH /v1/conversations accepts it).
  assert.deepEqual(enumOf('conversation.status'), [...CONVERSATION_STATUSES]);
  assert.ok(enumOf('conversation.status')!.includes('snoozed'));
  const snoozed = toJsonLogic({ combinator: 'and', rows: [{ field: 'conversation.status', op: '==', value: 'snoozed' }] }, types);
  assert.equal(evaluate(snoozed, { conversation: { status: 'snoozed' } } as never).matched, true);
  const sunday = toJsonLogic({ combinator: 'and', rows: [{ field: 'time.weekday', op: '==', value: 'sun' }] }, types);
  assert.equal(evaluate(sunday, { time: { weekday: week[0] } } as never).matched, true);
});
