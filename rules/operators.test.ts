import assert from 'node:assert/strict';
import { test } from 'vitest';
import { ALLOWED_OPERATIONS, CUSTOM_OPERATIONS, evaluate, REGEX_MAX_LENGTH, safeRegex } from './operators.ts';
import { lookup, render, renderDeep } from './templates.ts';
import type { RuleContext } from './context.ts';

/**
 * The condition language and templates without a database: json-logic's pitfalls guarded
 * (comparisons with null, `in` on null), regexes capped and flag-checked, whole-word matching,
 * handles, and {{path}} templates that look values up and never evaluate anything.
 */
const run = (logic: unknown, ctx: Record<string, unknown> = {}) => evaluate(logic, ctx as unknown as RuleContext).matched;

test('comparisons: null or missing is never less or more than anything; three arguments are a between', () => {
  assert.equal(run({ '<': [1, 2] }), true);
  assert.equal(run({ '<': [2, 2] }), false);
  assert.equal(run({ '<=': [2, 2] }), true);
  assert.equal(run({ '<=': [3, 2] }), false);
  assert.equal(run({ '>': [3, 2] }), true);
  assert.equal(run({ '>': [2, 2] }), false);
  assert.equal(run({ '>=': [2, 2] }), true);
  assert.equal(run({ '>=': [1, 2] }), false);
  assert.equal(run({ '<': [null, 2] }), false);
  assert.equal(run({ '<': [{ var: 'missing' }, 2] }), false);
  assert.equal(run({ '>': [2, null] }), false);
  assert.equal(run({ '<': [1, 5, 10] }), true);
  assert.equal(run({ '<': [1, 10, 10] }), false);
  assert.equal(run({ '<=': [1, 10, 10] }), true);
  assert.equal(run({ '<': [1, null, 10] }), false);
  assert.equal(run({ '<': [5, 1, 10] }), false);
});

test('in: substring of text or member of a list; null on either side is false', () => {
  assert.equal(run({ in: ['ref', 'refund please'] }), true);
  assert.equal(run({ in: ['x', 'refund'] }), false);
  assert.equal(run({ in: [2, [1, 2]] }), true);
  assert.equal(run({ in: ['2', [1, 2]] }), false);
  assert.equal(run({ in: [1, 'a1'] }), true);
  assert.equal(run({ in: ['a', null] }), false);
  assert.equal(run({ in: [null, 'null'] }), false);
  assert.equal(run({ in: ['a', { var: 'obj' }] }, { obj: { a: 1 } }), false);
});

test('matches: safe flags only, a length cap, bad patterns and non-text are false', () => {
  assert.equal(run({ matches: ['Stop now', '^stop', 'i'] }), true);
  assert.equal(run({ matches: ['Stop now', '^stop'] }), false);
  assert.equal(run({ matches: ['a\nb', '^b$', 'm'] }), true);
  assert.equal(run({ matches: ['abc', 'b', 'g'] }), false);
  assert.equal(run({ matches: ['abc', '(unclosed'] }), false);
  assert.equal(run({ matches: [42, '4'] }), false);
  assert.equal(run({ matches: ['abc', 7] }), false);
  assert.equal(REGEX_MAX_LENGTH, 200);
  assert.ok(safeRegex('a'.repeat(200)));
  assert.equal(safeRegex('a'.repeat(201)), null);
  assert.equal(safeRegex('a', 'y'), null);
  assert.equal(safeRegex('a', 5), null);
  assert.ok(safeRegex('a', null));
  assert.equal(safeRegex('a', 'imsu')!.flags, 'imsu');
  assert.equal(safeRegex(5), null);
  // Only the first 10 000 characters are searched.
  assert.equal(run({ matches: ['a'.repeat(10_000) + 'needle', 'needle'] }), false);
  assert.equal(run({ matches: ['a'.repeat(9_994) + 'needle', 'needle'] }), true);
});

test('contains_any_word: whole words, any case, phrases need all their words', () => {
  assert.equal(run({ contains_any_word: ['What are your HOURS?', ['hours']] }), true);
  assert.equal(run({ contains_any_word: ['What are your hourses', ['hours']] }), false);
  assert.equal(run({ contains_any_word: ['are you open now', ['open now']] }), true);
  assert.equal(run({ contains_any_word: ['open the door now', ['open now']] }), true);
  assert.equal(run({ contains_any_word: ['open the door', ['open now']] }), false);
  assert.equal(run({ contains_any_word: ["don't stop", ["don't"]] }), true);
  assert.equal(run({ contains_any_word: ['hello', ['', '  ', 5]] }), false);
  assert.equal(run({ contains_any_word: [null, ['x']] }), false);
  assert.equal(run({ contains_any_word: ['x', 'x'] }), false);
});

test('has_handle and the hours operators need a context contact / org; the operator table hides method and log', () => {
  const ctx = { contact: { handles: [{ id: 'h', kind: 'phone' }] } };
  assert.equal(run({ has_handle: ['phone'] }, ctx), true);
  assert.equal(run({ has_handle: ['email'] }, ctx), false);
  assert.equal(run({ has_handle: ['phone'] }, {}), false);
  assert.ok(!ALLOWED_OPERATIONS.has('method'));
  assert.ok(!ALLOWED_OPERATIONS.has('log'));
  for (const op of ['==', 'var', 'in', 'matches', 'in_quiet_hours', 'within_business_hours', 'has_handle', 'contains_any_word', 'some']) assert.ok(ALLOWED_OPERATIONS.has(op), op);
  assert.deepEqual([...CUSTOM_OPERATIONS].sort(), ['contains_any_word', 'has_handle', 'in_quiet_hours', 'matches', 'within_business_hours']);
  // The context of one evaluation is not left behind for the next.
  assert.equal(run({ has_handle: ['phone'] }, ctx), true);
  assert.equal(evaluate({ has_handle: ['phone'] }, undefined as never).matched, false);
});

test('templates: own properties only, missing is empty, objects as JSON, numbers and booleans as text', () => {
  const ctx = { contact: { name: 'Dana', tags: ['a'], n: 0, ok: false, none: null }, list: [{ sku: 'X1' }] };
  assert.equal(render('Hi {{contact.name}}, {{ contact.n }} {{contact.ok}} [{{contact.none}}] {{contact.tags}} {{list.0.sku}} {{nope.x}}', ctx), 'Hi Dana, 0 false [] ["a"] X1 ');
  assert.equal(render('{{constructor}}{{contact.constructor}}{{__proto__}}', ctx), '');
  assert.equal(render('{{contact.name.length}}', ctx), '');
  assert.equal(render('{{ not a tag }} {contact.name}', ctx), '{{ not a tag }} {contact.name}');
  assert.equal(render('{{x}}'.repeat(3), { x: 'y'.repeat(40_000) }).length, 100_000);
  assert.equal(lookup(ctx, 'contact.name'), 'Dana');
  assert.equal(lookup(null, 'a'), undefined);
  assert.equal(lookup({ a: 'str' }, 'a.length'), undefined);
});

test('renderDeep: every string rendered; inside input a whole {{path}} keeps the value’s type', () => {
  const ctx = { event: { data: { amount: 4200, paid: false, items: [1, 2], name: 'Kim', none: null } } };
  const action = {
    type: 'invoke',
    body: 'Amount {{event.data.amount}}',
    count: 3,
    flag: true,
    list: ['{{event.data.name}}', 7],
    input: { amount: '{{event.data.amount}}', paid: '{{ event.data.paid }}', items: '{{event.data.items}}', name: '{{event.data.name}}', none: '{{event.data.none}}', label: 'n={{event.data.amount}}', nested: { a: '{{event.data.amount}}' } },
  };
  assert.deepEqual(renderDeep(action, ctx), {
    type: 'invoke',
    body: 'Amount 4200',
    count: 3,
    flag: true,
    list: ['Kim', 7],
    input: { amount: 4200, paid: false, items: [1, 2], name: 'Kim', none: '', label: 'n=4200', nested: { a: 4200 } },
  });
  assert.equal(renderDeep('{{event.data.amount}}', ctx), '4200');
  assert.equal(renderDeep('{{event.data.amount}}', ctx, true), 4200);
  assert.equal(renderDeep(null, ctx), null);
  // A whole {{path}} that finds nothing renders empty, typed or not.
  assert.deepEqual(renderDeep({ input: { a: '{{event.data.nope}}' } }, ctx), { input: { a: '' } });
});
