import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { defineConnector, isConnectorDefinition, type ConnectorSpec } from './define.ts';
import { ConnectorDefinitionError } from './errors.ts';
import { acmeSpec } from './test-connector.ts';

function problemsOf(spec: unknown): string[] {
  try {
    defineConnector(spec as ConnectorSpec);
  } catch (err) {
    assert.ok(ConnectorDefinitionError.is(err), `expected a ConnectorDefinitionError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('the definition should have been refused');
}

describe('defineConnector', () => {
  it('accepts a valid definition and returns it frozen, with its major and validators', () => {
    const def = defineConnector(acmeSpec());
    assert.equal(def.major, 1);
    assert.ok(isConnectorDefinition(def));
    assert.ok(Object.isFrozen(def) && Object.isFrozen(def.manifest) && Object.isFrozen(def.manifest.inbound![0]));
    assert.deepEqual(def.validateConfig({ region: 'us' }), []);
    assert.deepEqual(def.validateConfig({ region: 'mars' }), ['config/region: must be equal to one of the allowed values (us, eu)']);
    assert.deepEqual(def.validateSecrets({}), ["secrets/: must have required property 'webhookSecret'"]);
  });

  it('does not share state with the spec it was given', () => {
    const spec = acmeSpec();
    const def = defineConnector(spec);
    spec.manifest.statusMap!.DELIVERED = 'failed';
    assert.equal(def.manifest.statusMap!.DELIVERED, 'delivered');
  });

  it('refuses a bad definition listing every problem at once', () => {
    const spec = acmeSpec() as unknown as Record<string, unknown>;
    const manifest = spec.manifest as Record<string, any>;
    Object.assign(spec, {
      id: 'Acme SMS',
      version: '1.2',
      kind: 'telepathy',
      displayName: ' ',
      capabilities: ['messaging.send', 'messaging.teleport', 'messaging.send'],
      configSchema: { type: 'object', properties: { region: { type: 'strin' } } },
      secretsSchema: { type: 'array' },
      colour: 'blue',
      send: undefined,
    });
    manifest.statusMap.DELIVERED = 'arrived';
    manifest.inbound[0].fields.body = 'm.text &';
    manifest.inbound[1].match = '$count(body.statuses > ';
    const problems = problemsOf(spec);
    const expected = [
      /^colour: unknown property$/,
      /^id: must be lowercase/,
      /^version: "1\.2" is not a semantic version/,
      /^kind: must be one of channel, crm, vertical, payments, ai$/,
      /^displayName: must be a non-empty string$/,
      /^configSchema: does not compile: .*region\/type/,
      /^secretsSchema: must describe an object/,
      /^capabilities: unknown capability "messaging\.teleport"/,
      /^capabilities: "messaging\.send" listed twice$/,
      /^capabilities: messaging\.send needs a send\(\) function$/,
      /^manifest\/statusMap\/DELIVERED: must be equal to one of the allowed values/,
      /^manifest\/inbound\/0\/fields\/body: JSONata does not compile/,
      /^manifest\/inbound\/1\/match: JSONata does not compile/,
    ];
    for (const re of expected) assert.ok(problems.some((p) => re.test(p)), `missing ${re} in:\n${problems.join('\n')}`);
  });

  it('reports every JSONata expression that does not compile, with its path', () => {
    const spec = acmeSpec();
    spec.manifest.inbound![0]!.fields!.body = 'm.text &';
    spec.manifest.inbound![1]!.match = '$count(body.statuses > ';
    spec.manifest.outbound!.message = '{ "a": }';
    const problems = problemsOf(spec);
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0]!, /^manifest\/inbound\/0\/fields\/body: JSONata does not compile: .* at character \d+/);
    assert.match(problems[1]!, /^manifest\/inbound\/1\/match: JSONata does not compile/);
    assert.match(problems[2]!, /^manifest\/outbound\/message: JSONata does not compile/);
  });

  it('checks that declared capabilities have what they need', () => {
    const spec = acmeSpec();
    delete spec.verify;
    delete spec.manifest.outbound;
    spec.manifest.statusMap = {};
    const problems = problemsOf(spec);
    assert.deepEqual([...problems].sort(), [
      'capabilities: receiving webhooks needs a verify() function',
      'manifest: messaging.send needs an outbound mapping',
      'manifest: messaging.status needs a statusMap',
    ]);
  });

  it('lets a connector without webhooks (receivesWebhooks: false) receive through the API, without verify() or inbound rules', () => {
    const spec = acmeSpec();
    delete spec.verify;
    delete spec.sign;
    delete spec.manifest.inbound;
    spec.receivesWebhooks = false;
    const def = defineConnector(spec);
    assert.equal(def.receivesWebhooks, false);
    assert.equal(def.verify, undefined);
    assert.deepEqual(problemsOf({ ...acmeSpec(), receivesWebhooks: 'no' }), ['receivesWebhooks: must be a boolean']);
    const webhooks = acmeSpec();
    delete webhooks.verify;
    webhooks.receivesWebhooks = true;
    assert.deepEqual(problemsOf(webhooks), ['capabilities: receiving webhooks needs a verify() function']);
  });

  it('refuses a config migration to a major beyond its own version', () => {
    const spec = acmeSpec('1.0.0');
    spec.manifest.configMigrations = [{ from: 1, to: 2, transform: '$' }];
    assert.deepEqual(problemsOf(spec), ['manifest/configMigrations/0: migrates to major 2, beyond this version\'s major 1']);
  });

  it('names the connector in the error message', () => {
    const spec = acmeSpec();
    spec.version = 'latest';
    assert.throws(() => defineConnector(spec), /Invalid connector "acme-sms" \(1 problem\):\n {2}- version/);
  });

  it('accepts the optional channels, handshake, ack and simulateStatus, and checks them', () => {
    const ok = defineConnector({
      ...acmeSpec(),
      channels: ['sms', 'whatsapp'],
      handshake: () => ({ status: 200, body: 'challenge' }),
      ack: () => ({ status: 200, headers: { 'content-type': 'text/xml' }, body: '<Response/>' }),
      simulateStatus: (s) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(s) }),
    });
    assert.deepEqual(ok.channels, ['sms', 'whatsapp']);
    const bad = { ...acmeSpec(), channels: ['SMS'], ack: 'yes', simulateStatus: () => ({ headers: {}, body: '' }) } as Record<string, unknown>;
    delete bad.sign;
    assert.deepEqual(problemsOf(bad).sort(), [
      'ack: must be a function',
      'channels: must be an array of channel names (lowercase, e.g. "sms", "email")',
      'simulateStatus: needs sign() (sandbox callbacks are signed)',
    ]);
  });
});

describe('integration hooks', () => {
  it('are required by the capabilities that name them and checked for shape', () => {
  const base = {
    id: 'crm_x',
    version: '1.0.0',
    kind: 'crm' as const,
    displayName: 'CRM X',
    configSchema: { type: 'object' },
    secretsSchema: { type: 'object' },
    manifest: {},
  };
  const missing = problemsOf({ ...base, capabilities: ['crm.lookup', 'crm.log', 'actions.invoke'] });
  assert.ok(missing.includes('capabilities: crm.lookup needs crm.findContact()'), missing.join('\n'));
  assert.ok(missing.includes('capabilities: crm.log needs crm.logMessages()'));
  assert.ok(missing.includes('capabilities: actions.invoke needs at least one entry in actions'));
  const shapes = problemsOf({ ...base, capabilities: [], poll: { intervalSeconds: 0 }, oauth: { flow: 'authorization_code', tokenUrl: 'https://x/token' } });
  assert.ok(shapes.some((p) => p.startsWith('poll:')), shapes.join('\n'));
  assert.ok(shapes.includes('oauth: authorization_code needs authorizeUrl'));
  // BAA eligibility per connection names a boolean config field that exists.
  const BAA = 'baaEligible: true, false, or {configField} naming a boolean property of configSchema';
  assert.ok(problemsOf({ ...base, capabilities: [], baaEligible: { configField: 'baaCovered' } }).includes(BAA));
  assert.ok(problemsOf({ ...base, capabilities: [], baaEligible: 'yes' }).includes(BAA));
  const perConnection = defineConnector({ ...base, capabilities: [], configSchema: { type: 'object', properties: { baaCovered: { type: 'boolean' } } }, baaEligible: { configField: 'baaCovered' } });
  assert.deepEqual(perConnection.baaEligible, { configField: 'baaCovered' });
  const ok = defineConnector({
    ...base,
    capabilities: ['crm.lookup', 'actions.invoke'],
    crm: { findContact: async () => null },
    actions: { noop: { description: 'does nothing', run: async () => ({}) } },
    oauth: { flow: 'client_credentials', tokenUrl: 'https://x/token' },
    poll: { intervalSeconds: 60, run: async () => ({ events: [], cursor: null }) },
  } as any);
  assert.equal(ok.id, 'crm_x');
});

  it('oauth.callbackConfig: redirect parameter → config field, authorization_code only', () => {
    const base = { id: 'books_x', version: '1.0.0', kind: 'payments' as const, displayName: 'Books X', configSchema: { type: 'object' }, secretsSchema: { type: 'object' }, manifest: {}, capabilities: [] };
    const code = { flow: 'authorization_code', authorizeUrl: 'https://x/authorize', tokenUrl: 'https://x/token' };
    assert.deepEqual(defineConnector({ ...base, oauth: { ...code, callbackConfig: { realmId: 'realmId' } } } as any).oauth?.callbackConfig, { realmId: 'realmId' });
    assert.ok(problemsOf({ ...base, oauth: { flow: 'client_credentials', tokenUrl: 'https://x/token', callbackConfig: { realmId: 'realmId' } } }).includes('oauth: callbackConfig needs the authorization_code flow (only it has a redirect)'));
    for (const bad of [['realmId'], { realmId: '' }, { realmId: 3 }, 'realmId']) {
      assert.ok(problemsOf({ ...base, oauth: { ...code, callbackConfig: bad } }).some((p) => p.startsWith('oauth: callbackConfig must map')), JSON.stringify(bad));
    }
  });
});
