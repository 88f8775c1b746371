import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { createAjv } from './ajv.ts';
import { manifestSchema, validateManifest } from './manifest.ts';
import { acmeSpec } from './test-connector.ts';

const minimal = () => ({
  inbound: [
    {
      name: 'msg',
      match: '$exists(body.id)',
      emit: 'message',
      fields: { channel: "'sms'", from: { kind: "'phone'", value: 'body.from' }, to: { address: 'body.to' }, providerMessageId: 'body.id' },
    },
  ],
});

describe('manifest schema', () => {
  it('is published as manifest.schema.json, identical to the exported schema, and is a valid JSON Schema', () => {
    const file = JSON.parse(readFileSync(new URL('./manifest.schema.json', import.meta.url), 'utf8'));
    assert.deepEqual(file, manifestSchema);
    assert.doesNotThrow(() => createAjv().compile(file));
  });

  it('accepts a minimal manifest and the test connector manifest', () => {
    assert.deepEqual(validateManifest(minimal()), []);
    assert.deepEqual(validateManifest(acmeSpec().manifest), []);
  });

  it('requires the fields each event kind needs and refuses fields it does not know', () => {
    const m = minimal();
    delete (m.inbound[0]!.fields as Record<string, unknown>).providerMessageId;
    (m.inbound[0]!.fields as Record<string, unknown>).colour = "'blue'";
    const problems = validateManifest(m);
    assert.ok(problems.includes("manifest/inbound/0/fields: must have required property 'providerMessageId'"), problems.join('\n'));
    assert.ok(problems.includes('manifest/inbound/0/fields: must NOT have additional properties (colour)'), problems.join('\n'));
  });

  it('refuses unknown kinds, statuses and reasons, unknown top-level keys, and fields on an ignore rule', () => {
    const problems = validateManifest({
      inbound: [
        { name: 'a', match: 'true', emit: 'telegram' },
        { name: 'b', match: 'true', emit: 'ignore', fields: { x: 'y' } },
      ],
      statusMap: { ok: 'fine' },
      errorMap: { E1: { reason: 'bad_luck' } },
      outputs: {},
    });
    for (const expected of [
      'manifest/: must NOT have additional properties (outputs)',
      'manifest/inbound/0/emit: must be equal to one of the allowed values (message, status, opt_out, opt_in, help, contact_update, external_event, ignore)',
      'manifest/inbound/1: must NOT be valid',
      'manifest/statusMap/ok: must be equal to one of the allowed values (queued, sent, delivered, read, failed, undelivered, received, blocked)',
    ]) {
      assert.ok(problems.includes(expected), `missing "${expected}" in:\n${problems.join('\n')}`);
    }
    assert.ok(problems.some((p) => p.startsWith('manifest/errorMap/E1/reason: must be equal to one of the allowed values')));
  });

  it('checks rule names and config migrations beyond the schema', () => {
    const m = { ...minimal(), configMigrations: [{ from: 1, to: 1, transform: '$' }, { from: 1, to: 2, transform: '$merge([$, {' }] };
    m.inbound.push({ ...m.inbound[0]! });
    assert.deepEqual(validateManifest(m), [
      'manifest/configMigrations/1/transform: JSONata does not compile: Expected ":" before end of expression at character 12',
      'manifest/inbound/1/name: duplicate rule name "msg"',
      'manifest/configMigrations/0: "to" (1) must be greater than "from" (1)',
      'manifest/configMigrations/1: a second migration from major 1',
    ]);
  });

  it('refuses what is not an object', () => {
    assert.deepEqual(validateManifest([]), ['manifest: must be an object']);
  });
});
