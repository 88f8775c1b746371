import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAjv, describeAjvErrors } from './ajv.ts';

/** Connection config and secrets are checked with the kit's ajv: a failed oneOf names the form the value meant. */
const headerSchema = {
  type: 'object',
  properties: {
    column: { oneOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }] },
  },
};

test('a failed oneOf reports the branch the value has the shape of', () => {
  const validate = createAjv().compile(headerSchema);
  assert.equal(validate({ column: ['Unit', ''] }), false);
  assert.deepEqual(describeAjvErrors(validate.errors, 'config'), ['config/column/1: must NOT have fewer than 1 characters', 'config/column: must match exactly one schema in oneOf']);
  assert.equal(validate({ column: '' }), false);
  assert.deepEqual(describeAjvErrors(validate.errors, 'config'), ['config/column: must NOT have fewer than 1 characters', 'config/column: must match exactly one schema in oneOf']);
});

test('an "either A or B" with neither given keeps both ways out', () => {
  const validate = createAjv().compile({ type: 'object', anyOf: [{ required: ['apiToken'] }, { required: ['clientId', 'clientSecret'] }] });
  assert.equal(validate({}), false);
  assert.deepEqual(describeAjvErrors(validate.errors, 'secrets'), [
    "secrets/: must have required property 'apiToken'",
    "secrets/: must have required property 'clientId'",
    "secrets/: must have required property 'clientSecret'",
    'secrets/: must match a schema in anyOf',
  ]);
});
