import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, afterAll } from 'vitest';
import { defineConnector } from './define.ts';
import { ConnectorDefinitionError } from './errors.ts';
import { createRegistry } from './registry.ts';
import { acmeSpec } from './test-connector.ts';

/** Installs a throwaway npm package (plain ESM, no kit import: a spec object is enough) under `root`. */
function installPackage(root: string, name: string, source: string, pkg: Record<string, unknown> = {}): void {
  const dir = join(root, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', ...pkg }));
  writeFileSync(join(dir, (pkg.exports as Record<string, Record<string, string>> | undefined)?.['.']?.import ?? 'index.js'), source);
}

const root = mkdtempSync(join(tmpdir(), 'sb-registry-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const plainSpec = (id: string, version: string, extra = '') => `
export default {
  id: '${id}', version: '${version}', kind: 'crm', displayName: 'Example CRM',
  configSchema: { type: 'object' }, secretsSchema: { type: 'object' },
  capabilities: ['crm.lookup'${extra}],
  manifest: { inbound: [] },
  crm: { findContact: async () => null },
};`;

installPackage(root, 'good-crm', plainSpec('good-crm', '2.1.0'));
installPackage(root, '@acme/scoped-crm', plainSpec('scoped-crm', '1.0.0'), { exports: { '.': { import: 'main.mjs', require: 'main.cjs' } } });
installPackage(root, 'bad-crm', plainSpec('bad-crm', 'one', ", 'crm.teleport'"));
installPackage(root, 'not-a-connector', 'export default 42;');
// What a third party publishes: the default export made with defineConnector (here: this kit's copy).
installPackage(root, 'defined-sms', `import { defineConnector } from ${JSON.stringify(new URL('./define.ts', import.meta.url).href)};
import { acmeSpec } from ${JSON.stringify(new URL('./test-connector.ts', import.meta.url).href)};
export default defineConnector({ ...acmeSpec('4.0.0'), id: 'defined-sms' });`);
installPackage(root, 'broken-syntax', 'export default {');

describe('registry', () => {
  it('loads a package whose default export was made with defineConnector', async () => {
    const r = createRegistry({ resolveFrom: root });
    const def = await r.load('defined-sms');
    assert.deepEqual([def.id, def.version, def.major], ['defined-sms', '4.0.0', 4]);
    assert.deepEqual(def.validateSecrets({}), ["secrets/: must have required property 'webhookSecret'"]);
  });

  it('registers several versions, refuses a duplicate id@version, resolves the highest of a major', () => {
    const r = createRegistry();
    for (const v of ['1.0.0', '1.10.0', '1.2.0', '2.0.0-beta.1', '3.0.0-rc.1', '3.0.0']) r.register(defineConnector(acmeSpec(v)));
    assert.throws(() => r.register(acmeSpec('1.2.0')), /acme-sms@1\.2\.0 is already registered/);
    assert.equal(r.resolve('acme-sms', 1)?.version, '1.10.0');
    assert.equal(r.resolve('acme-sms', 2)?.version, '2.0.0-beta.1', 'a pre-release serves a major that has nothing else');
    assert.equal(r.resolve('acme-sms', 3)?.version, '3.0.0', 'a release wins over its pre-release');
    assert.equal(r.resolve('acme-sms', 4), undefined);
    assert.equal(r.resolve('nope', 1), undefined);
    assert.equal(r.get('acme-sms', '1.2.0')?.version, '1.2.0');
  });

  it('validates a plain spec on register', () => {
    const r = createRegistry();
    const spec = acmeSpec();
    spec.kind = 'gadget' as never;
    assert.throws(() => r.register(spec), ConnectorDefinitionError);
    assert.deepEqual(r.catalog(), []);
  });

  it('lists a catalog of ids with versions (newest first), schemas and capabilities', () => {
    const r = createRegistry();
    r.register(acmeSpec('1.0.0'));
    r.register(acmeSpec('1.1.0'));
    const [entry, ...rest] = r.catalog();
    assert.equal(rest.length, 0);
    assert.equal(entry!.id, 'acme-sms');
    assert.equal(entry!.kind, 'channel');
    assert.deepEqual(entry!.versions.map((v) => v.version), ['1.1.0', '1.0.0']);
    assert.deepEqual(entry!.versions[0]!.capabilities, ['messaging.send', 'messaging.receive', 'messaging.status']);
    assert.deepEqual(entry!.versions[0]!.secretsSchema.required, ['webhookSecret']);
  });

  it('loads npm packages whose default export is a connector (including scoped, ESM-only exports)', async () => {
    const r = createRegistry({ resolveFrom: join(root, 'some', 'app', 'dir') });
    const def = await r.load('good-crm');
    assert.equal(def.id, 'good-crm');
    assert.equal(r.resolve('good-crm', 2)?.version, '2.1.0');
    assert.equal((await r.load('@acme/scoped-crm')).id, 'scoped-crm');
  });

  it('refuses a bad package with an error naming the package and every problem, registering nothing', async () => {
    const r = createRegistry({ resolveFrom: root });
    await assert.rejects(r.load('bad-crm'), (err: unknown) => {
      assert.ok(ConnectorDefinitionError.is(err));
      assert.match(err.message, /^Invalid package "bad-crm" \(2 problems\)/);
      assert.deepEqual(err.problems, [
        'version: "one" is not a semantic version (e.g. 1.0.0)',
        'capabilities: unknown capability "crm.teleport" (known: messaging.send, messaging.receive, messaging.status, messaging.media, messaging.templates, contacts.sync, crm.lookup, crm.log, events.emit, actions.invoke, payments.request, ai.generate)',
      ]);
      return true;
    });
    assert.deepEqual(r.catalog(), []);
  });

  it('refuses packages that are missing, do not import, or export no connector', async () => {
    const r = createRegistry({ resolveFrom: root });
    await assert.rejects(r.load('not-installed-crm'), /Invalid package "not-installed-crm".*\n.*cannot be imported: not installed/);
    await assert.rejects(r.load('broken-syntax'), /Invalid package "broken-syntax".*\n.*cannot be imported/);
    await assert.rejects(r.load('not-a-connector'), /Invalid package "not-a-connector".*\n.*default export: must be a connector definition/);
  });

  it('upgrades a connection config between majors with the target version\'s migrations', async () => {
    const r = createRegistry();
    r.register(acmeSpec('1.0.0'));
    assert.deepEqual(await r.upgradeConfig('acme-sms', { region: 'eu' }, 0, 1), { region: 'eu', apiVersion: 1 });
    await assert.rejects(r.upgradeConfig('acme-sms', { region: 'mars' }, 0, 1), /upgraded acme-sms config is invalid: config\/region/);
    await assert.rejects(r.upgradeConfig('acme-sms', {}, 1, 2), /no installed version with major 2/);
  });
});
