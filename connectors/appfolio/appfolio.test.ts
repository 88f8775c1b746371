import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it, beforeAll, afterAll, beforeEach } from 'vitest';
import nock from 'nock';
import { ConnectorError, createRegistry, type IntegrationContext, type PollResult } from '../kit/index.ts';
import appfolio, { type AppFolioConfig, type AppFolioSecrets } from './index.ts';
import { reply } from '../../test/nock-reply.ts';

const HOST = 'https://acme.appfolio.com';
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const NOW = Date.parse('2026-01-14T12:00:00Z');
const ctx = (now = NOW): IntegrationContext<AppFolioConfig, AppFolioSecrets> => ({
  config: { database: 'acme' },
  secrets: { clientId: 'cid', clientSecret: 'csecret' },
  now: () => now,
});
const BASIC = `Basic ${Buffer.from('cid:csecret').toString('base64')}`;

/** nock 14 intercepts fetch; an explicit Content-Length keeps keep-alive clients from waiting. */

const run = (cursor: string | null, now = NOW): Promise<PollResult> => appfolio.poll!.run(cursor, ctx(now));

describe('appfolio connector definition', () => {
  it('is a valid vertical connector with a poll and documented config', () => {
    const registry = createRegistry();
    registry.register(appfolio);
    assert.equal(registry.resolve('appfolio', 1), appfolio);
    assert.equal(appfolio.kind, 'vertical');
    assert.deepEqual([...appfolio.capabilities], ['events.emit', 'contacts.sync']);
    assert.deepEqual(appfolio.validateConfig({ database: 'acme' }), []);
    assert.deepEqual(appfolio.validateConfig({ database: 'https://acme.appfolio.com' }), ['config/database: must match pattern "^[a-z0-9][a-z0-9-]{0,62}$"']);
    assert.deepEqual(appfolio.validateSecrets({ clientId: 'x' }), ["secrets/: must have required property 'clientSecret'"]);
  });
});

describe('appfolio poll (Reports API v2 via nock)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  beforeEach(() => nock.cleanAll());

  it('reads one page per run, paginates by next_page_url, maps people and diffs work orders against the cursor', async () => {
    const bodies: unknown[] = [];
    const scope = nock(HOST, { reqheaders: { authorization: BASIC } })
      .post('/api/v2/reports/tenant_directory.json', (b) => (bodies.push(b), true))
      .reply(...reply(200, fixture('tenant_directory.page1')))
      .post('/api/v2/reports/tenant_directory.json', (b) => (bodies.push(b), true))
      .query({ pagination_token: 'eyJvZmZzZXQiOjF9' })
      .reply(...reply(200, fixture('tenant_directory.page2')))
      .post('/api/v2/reports/owner_directory.json')
      .reply(...reply(200, fixture('owner_directory')))
      .post('/api/v2/reports/vendor_directory.json')
      .reply(...reply(200, fixture('vendor_directory')))
      .post('/api/v2/reports/work_order.json', (b) => (bodies.push(b), true))
      .reply(...reply(200, fixture('work_order')));

    const p1 = await run(null);
    assert.equal(p1.hasMore, true);
    assert.deepEqual(bodies[0], { paginate_results: true, tenant_visibility: 'active', tenant_types: ['all'], property_visibility: 'active' });
    assert.equal(p1.events.length, 1);
    const maria = p1.events[0]!;
    assert.match(maria.externalId!, /^appfolio:tenant:500:[\w-]{12}$/);
    assert.deepEqual({ ...maria, externalId: 'x' }, {
      kind: 'external_event',
      type: 'tenant.updated',
      externalId: 'x',
      subject: { kind: 'phone', value: '+14155550101' },
      data: {
        role: 'tenant', appfolioId: '500', name: 'Maria Gonzalez', firstName: 'Maria', lastName: 'Gonzalez',
        phones: ['+14155550101', '+15105550177'], emails: ['mgonzalez@example.com'],
        status: 'Current', tenantType: 'Financially Responsible', occupancyId: '999',
        property: { id: '101', name: 'Maple Court', address: '120 Maple St, Oakland, CA 94607' },
        unit: { id: '202', name: '4B' }, moveIn: '09/01/2025', moveOut: null, leaseTo: '08/31/2026',
      },
    });

    const p2 = await run(p1.cursor);
    assert.deepEqual(bodies[1], {}, 'next pages are a POST of {} to next_page_url');
    assert.equal(p2.hasMore, true);
    assert.deepEqual(p2.events.map((e) => [e.type, e.subject, (e.data.unit as { name: string }).name]), [
      ['tenant.updated', { kind: 'email', value: 'devon.price@example.org' }, '2A'],
    ]);

    const p3 = await run(p2.cursor);
    assert.deepEqual(p3.events.map((e) => [e.type, e.subject, e.data.name]), [['owner.updated', { kind: 'phone', value: '+14155550142' }, 'Harbor Holdings LLC']]);
    const p4 = await run(p3.cursor);
    assert.deepEqual(p4.events.map((e) => [e.type, e.subject, e.data.name, e.data.trades]), [['vendor.updated', { kind: 'phone', value: '+14155550188' }, 'Bay Plumbing Co', 'Plumbing']]);

    const p5 = await run(p4.cursor);
    assert.deepEqual(bodies[2], { paginate_results: true, property_visibility: 'all', from_date: '2025-10-16', to_date: '2026-01-14' });
    assert.deepEqual(p5.events, [], 'the first cycle records existing work orders without announcing them');
    assert.equal(p5.hasMore, false);
    assert.ok(scope.isDone());

    // Next cycle, within the directory interval: work orders only; one completed, one new.
    const later = NOW + 3_600_000;
    const wo = fixture('work_order') as { results: Record<string, unknown>[] };
    const done = { ...wo.results[0]!, status: 'Completed', completed_on: '2026-01-14T12:30:00Z' };
    const fresh = { ...wo.results[0]!, work_order_id: 1440, work_order_number: '1440-1', status: 'New', job_description: 'Smoke detector chirping', created_at: '2026-01-14T12:40:00Z', vendor: null, vendor_id: null };
    nock(HOST).post('/api/v2/reports/work_order.json').reply(...reply(200, { results: [done, fresh], next_page_url: null }));
    const p6 = await run(p5.cursor, later);
    assert.equal(p6.hasMore, false);
    assert.deepEqual(p6.events[0], {
      kind: 'external_event',
      type: 'work_order.completed',
      externalId: 'appfolio:work_order:1432:completed:Completed',
      occurredAt: '2026-01-14T12:30:00Z',
      data: {
        workOrderId: '1432', number: '1432-1', status: 'Completed', previousStatus: 'Assigned', priority: 'Urgent',
        type: 'Resident Request', description: 'Kitchen sink leaking under cabinet',
        vendor: { id: '31', name: 'Bay Plumbing Co' }, resident: { name: 'Maria Gonzalez', occupancyId: '999' },
        property: { id: '101', name: 'Maple Court', address: '120 Maple St, Oakland, CA 94607' },
        unit: { id: '202', name: '4B' }, scheduledStart: '2026-01-13T17:00:00Z', scheduledEnd: '2026-01-13T19:00:00Z',
        completedOn: '2026-01-14T12:30:00Z', createdAt: '2026-01-12T15:04:00Z',
      },
    });
    assert.deepEqual([p6.events[1]!.type, p6.events[1]!.externalId, p6.events[1]!.occurredAt], ['work_order.created', 'appfolio:work_order:1440:created:New', '2026-01-14T12:40:00Z']);

    // An unchanged status emits nothing; a later status change is an update.
    nock(HOST).post('/api/v2/reports/work_order.json').reply(...reply(200, { results: [done, { ...fresh, status: 'Scheduled' }], next_page_url: null }));
    const p7 = await run(p6.cursor, later + 60_000);
    assert.deepEqual(p7.events.map((e) => [e.type, e.data.previousStatus, e.data.status]), [['work_order.updated', 'New', 'Scheduled']]);

    // A day later the directories are read again: unchanged rows emit nothing, a changed one does.
    const dayLater = NOW + 25 * 3_600_000;
    const page1 = fixture('tenant_directory.page1') as { results: Record<string, unknown>[] };
    nock(HOST)
      .post('/api/v2/reports/tenant_directory.json').reply(...reply(200, { results: [{ ...page1.results[0]!, unit: '5C', unit_id: 204 }], next_page_url: null }))
      .post('/api/v2/reports/owner_directory.json').reply(...reply(200, fixture('owner_directory')))
      .post('/api/v2/reports/vendor_directory.json').reply(...reply(200, fixture('vendor_directory')))
      .post('/api/v2/reports/work_order.json').reply(...reply(200, { results: [], next_page_url: null }));
    let cursor = p7.cursor;
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const p = await run(cursor, dayLater);
      seen.push(...p.events.map((e) => `${e.type}:${(e.data.unit as { name?: string } | undefined)?.name ?? ''}`));
      cursor = p.cursor;
      assert.equal(p.hasMore, i < 3);
    }
    assert.deepEqual(seen, ['tenant.updated:5C']);
  });

  it('429 → rate_limited with the Retry-After delay; the cursor is not advanced (the run throws)', async () => {
    nock(HOST).post('/api/v2/reports/tenant_directory.json').reply(...reply(429, { error: 'Too Many Requests' }, { 'retry-after': '30' }));
    await assert.rejects(run(null), (err: unknown) => {
      assert.ok(ConnectorError.is(err));
      assert.equal(err.code, 'rate_limited');
      assert.equal(err.retryable, true);
      assert.equal(err.retryAfterMs, 30_000);
      return true;
    });
  });

  it('401 → auth_failed, not retried', async () => {
    nock(HOST).post('/api/v2/reports/tenant_directory.json').reply(...reply(401, { error: 'Unauthorized' }));
    await assert.rejects(run(null), (err: unknown) => ConnectorError.is(err) && err.code === 'auth_failed' && err.retryable === false);
  });

  it('an unreachable AppFolio is vendor_unavailable (retried)', async () => {
    await assert.rejects(run(null), (err: unknown) => ConnectorError.is(err) && err.code === 'vendor_unavailable' && err.retryable);
  });
});
