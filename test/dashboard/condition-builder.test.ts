import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fromJsonLogic, toJsonLogic, type BuiltCondition } from '../../dashboard/src/pages/rules/condition.ts';
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

test('json-logic the builder cannot show (nested groups, other operators) is left to the raw view', () => {
  assert.equal(fromJsonLogic({ and: [{ or: [{ '==': [{ var: 'a' }, 1] }] }] }), null);
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
