import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { createRegistry, MappingError, type ExternalEvent } from '../kit/index.ts';
import { assertRejected, runFixture, type Fixture } from '../kit/harness.ts';
import rentredi, { type RentRediConfig, type RentRediSecrets } from './index.ts';

const csv = (name: string) => readFileSync(new URL(`./fixtures/${name}.csv`, import.meta.url), 'utf8');
const secrets: RentRediSecrets = { uploadToken: 'tok_'.padEnd(40, 'x') };
const config: RentRediConfig = {
  columns: {
    tenants: {
      externalId: 'Tenant ID', name: 'Tenant Name', phone: 'Phone Number', email: 'Email', property: 'Property',
      unit: 'Unit', status: 'Status', leaseStart: 'Lease Start', leaseEnd: 'Lease End',
    },
    maintenanceRequests: {
      externalId: 'Request #', status: 'Status', title: 'Title', description: 'Description', property: 'Property',
      unit: 'Unit', tenantName: 'Submitted By', phone: 'Tenant Phone', createdAt: 'Submitted On',
    },
  },
};
const upload = (exportName: string, body: string, name = exportName): Fixture => ({
  name,
  request: { url: `https://sb.test/v1/receive/conn?export=${exportName}`, headers: { 'content-type': 'text/csv' }, body },
});
const run = (f: Fixture, opts: { config?: RentRediConfig; mutate?: Parameters<typeof runFixture>[2]['mutate'] } = {}) =>
  runFixture(rentredi, f, { config: opts.config ?? config, secrets, ...(opts.mutate ? { mutate: opts.mutate } : {}) });
const events = async (f: Fixture, c?: RentRediConfig) => (await run(f, { config: c })).events as ExternalEvent[];

describe('rentredi connector definition', () => {
  it('is a vertical connector with documented config and a required upload token', () => {
    const registry = createRegistry();
    registry.register(rentredi);
    assert.equal(registry.resolve('rentredi', 1), rentredi);
    assert.equal(rentredi.kind, 'vertical');
    assert.deepEqual([...rentredi.capabilities], ['events.emit', 'contacts.sync']);
    assert.deepEqual(rentredi.validateConfig(config), []);
    assert.deepEqual(rentredi.validateConfig({ columns: {} }), ['config/columns: must NOT have fewer than 1 properties']);
    assert.deepEqual(rentredi.validateConfig({ columns: { maintenanceRequests: { externalId: 'ID' } } }), ["config/columns/maintenanceRequests: must have required property 'status'"]);
    assert.deepEqual(rentredi.validateSecrets({ uploadToken: 'short' }), ['secrets/uploadToken: must NOT have fewer than 24 characters']);
  });
});

describe('rentredi upload authentication', () => {
  const f = upload('tenants', csv('tenants'));
  it('accepts the bearer token', async () => {
    assert.deepEqual((await run(f)).verification, { ok: true });
  });
  it('refuses a wrong, missing or non-bearer token (the ingress answers 401) and maps nothing', async () => {
    const set = (authorization?: string) => (req: { headers: Record<string, unknown> }) => {
      const headers = { ...req.headers };
      if (authorization === undefined) delete headers.authorization;
      else headers.authorization = authorization;
      return { ...req, headers } as never;
    };
    assertRejected(await run(f, { mutate: set(`Bearer ${secrets.uploadToken}y`) }), 'bad_signature');
    assertRejected(await run(f, { mutate: set(undefined) }), 'missing_signature');
    assertRejected(await run(f, { mutate: set(`Basic ${secrets.uploadToken}`) }), 'malformed');
  });
});

describe('rentredi tenant list export', () => {
  it('maps rows (BOM, CRLF, quoted commas, doubled quotes, blank rows) to tenant.updated with E.164 / email subjects', async () => {
    const out = await events(upload('tenants', csv('tenants')));
    assert.equal(out.length, 2, 'the ",,,," row and the empty line are skipped');
    assert.match(out[0]!.externalId!, /^rentredi:tenant:t-100:[0-9a-f]{16}$/);
    assert.deepEqual({ ...out[0]!, externalId: 'x' }, {
      kind: 'external_event', type: 'tenant.updated', externalId: 'x',
      subject: { kind: 'phone', value: '+14155550101' },
      data: {
        tenantId: 't-100', name: 'Gonzalez, Maria', phone: '+14155550101', email: 'mgonzalez@example.com',
        property: '120 Maple St, Oakland', unit: '4B', status: 'Current', leaseStart: '09/01/2025', leaseEnd: '08/31/2026',
      },
    });
    assert.deepEqual(out[1]!.subject, { kind: 'email', value: 'sam.lee@example.com' });
    assert.equal(out[1]!.data.name, 'Sam "Sammy" Lee');
    assert.equal('leaseEnd' in out[1]!.data, false, 'empty cells are left out');
  });

  it('the same upload gives the same external ids (engine dedupe); a changed row a new one', async () => {
    const a = await events(upload('tenants', csv('tenants')));
    const b = await events(upload('tenants', csv('tenants')));
    assert.deepEqual(a.map((e) => e.externalId), b.map((e) => e.externalId));
    const moved = await events(upload('tenants', csv('tenants').replace(',4B,', ',5C,')));
    assert.notEqual(moved[0]!.externalId, a[0]!.externalId);
    assert.equal(moved[1]!.externalId, a[1]!.externalId);
  });

  it('reads custom header names, a key of several columns and a non-US calling code', async () => {
    const body = 'Nom;Prénom,Portable,Logement\r\n"Dupont; Marie",06 12 34 56 78,Bât A\r\n';
    const c: RentRediConfig = { defaultCallingCode: '33', columns: { tenants: { externalId: ['Nom;Prénom', 'Logement'], name: 'Nom;Prénom', phone: 'Portable', unit: 'Logement' } } };
    const [e] = await events(upload('tenants', body), c);
    assert.match(e!.externalId!, /^rentredi:tenant:Dupont; Marie\|Bât A:/);
    assert.deepEqual(e!.subject, { kind: 'phone', value: '+33612345678' });
    assert.deepEqual(e!.data, { tenantId: 'Dupont; Marie|Bât A', name: 'Dupont; Marie', phone: '+33612345678', unit: 'Bât A' });
  });
});

describe('rentredi maintenance requests export', () => {
  it('emits created once per request and updated per status; a status change is a new event', async () => {
    const out = await events(upload('maintenance_requests', csv('maintenance_requests')));
    assert.deepEqual(out.map((e) => [e.type, e.externalId]), [
      ['maintenance_request.created', 'rentredi:mr:mr-7'],
      ['maintenance_request.created', 'rentredi:mr:mr-8'],
      ['maintenance_request.updated', 'rentredi:mr:mr-7:open'],
      ['maintenance_request.updated', 'rentredi:mr:mr-8:in progress'],
    ]);
    assert.deepEqual(out[0]!.subject, { kind: 'phone', value: '+14155550101' });
    assert.equal(out[0]!.data.description, 'Kitchen sink drips,\r\nworse at night');
    assert.equal(out[1]!.subject, undefined, 'no phone and no email mapped: no subject');
    const later = await events(upload('maintenance_requests', csv('maintenance_requests').replace(',Open,', ',Completed,')));
    assert.deepEqual(later.map((e) => e.externalId).slice(0, 3), ['rentredi:mr:mr-7', 'rentredi:mr:mr-8', 'rentredi:mr:mr-7:completed']);
  });
});

describe('rentredi refused uploads (MappingError → 400)', () => {
  const refused = async (f: Fixture, problem: RegExp, c?: RentRediConfig) => {
    await assert.rejects(run(f, { config: c }), (e: unknown) => MappingError.is(e) && e.problems.some((p) => problem.test(p)));
  };
  it('malformed CSV, a mapped header missing from the file, an unmapped export, an empty key, an unknown export', async () => {
    await refused(upload('tenants', 'Tenant ID,Tenant Name\r\nt-1,"Ana\r\n'), /invalid CSV \(line 2: a quoted field is never closed\)/);
    await refused(upload('tenants', 'Tenant ID,Name\r\nt-1,Ana\r\n'), /columns\.tenants: header\(s\) .*"Tenant Name" \(name\).* not in the uploaded export/);
    await refused(upload('maintenance_requests', csv('maintenance_requests')), /no column mapping for the maintenanceRequests export/, { columns: { tenants: { externalId: 'Tenant ID' } } });
    await refused(upload('tenants', 'Tenant ID,Tenant Name\r\n,Ana\r\nt-2,Bo\r\n'), /columns\.tenants\.externalId: required but empty in row\(s\) 1/, { columns: { tenants: { externalId: 'Tenant ID', name: 'Tenant Name' } } });
    await refused(upload('leases', csv('tenants')), /no inbound rule matches/);
  });
});
