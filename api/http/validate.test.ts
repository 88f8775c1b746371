import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { compile } from './validate.ts';

/**
 * A failed oneOf answers with the errors of the form the caller clearly meant, not every
 * branch's (which contradict each other: "handle is required", "contactId is not a known field").
 */
let h: Harness;
let key: string;
before(async () => {
  h = await startHarness();
  key = (await h.newOrg()).apiKey;
});
after(async () => h?.close());

const post = (from: unknown) => h.call(key, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from, body: 'The sink in 4B leaks' });

test("the README's curl with its placeholder contact id: one error, about the contact id", async () => {
  const r = await post({ contactId: '<contact id>' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'validation_failed');
  assert.deepEqual(r.body.error.details, [{ field: '/from/contactId', reason: 'must match format "uuid"' }]);
  assert.equal(r.body.error.message, 'Invalid body: /from/contactId must match format "uuid".');
});

test('a handle missing its value, or an address of the wrong type, is reported in its own form', async () => {
  const handle = await post({ handle: { kind: 'phone' } });
  assert.deepEqual([handle.status, handle.body.error.details], [400, [{ field: '/from/handle/value', reason: 'is required' }]]);
  const address = await post({ address: 5 });
  assert.deepEqual([address.status, address.body.error.details], [400, [{ field: '/from/address', reason: 'must be string' }]]);
  // A value that has no form's shape: every form is named (what each needs), each complaint once.
  const neither = await post({ nickname: 'Dana' });
  assert.equal(neither.status, 400);
  assert.deepEqual(neither.body.error.details, [
    { field: '/from/handle', reason: 'is required' },
    { field: '/from/nickname', reason: 'is not a known field' },
    { field: '/from/contactId', reason: 'is required' },
    { field: '/from/address', reason: 'is required' },
  ]);
});

test('nested branchings: the outer choice decides; a value matching two forms says so', () => {
  const party = { oneOf: [
    { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
    { type: 'object', additionalProperties: false, required: ['email'], properties: { email: { type: 'string', format: 'email' } } },
  ] };
  const check = compile({ type: 'object', properties: { to: { oneOf: [party, { type: 'array', items: party }] } } }, 'body');
  const details = (value: unknown) => {
    try {
      check(value);
      return [];
    } catch (err) {
      return (err as { details: unknown[] }).details;
    }
  };
  assert.deepEqual(details({ to: [{ email: 'not-an-address' }] }), [{ field: '/to/0/email', reason: 'must match format "email"' }]);
  assert.deepEqual(details({ to: { id: 'x' } }), [{ field: '/to/id', reason: 'must match format "uuid"' }]);
  const loose = compile({ type: 'object', properties: { n: { oneOf: [{ type: 'number' }, { type: 'integer' }] } } }, 'body');
  assert.throws(() => loose({ n: 3 }), (err: any) => err.details[0].field === '/n' && /more than one/.test(err.details[0].reason));
});
