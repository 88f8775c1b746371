import assert from 'node:assert/strict';
import { describe, it, beforeAll, afterAll, afterEach } from 'vitest';
import nock from 'nock';
import { createRegistry } from '../kit/index.ts';
import type { Harness } from '../../test/harness.ts';
import { usePipeline } from '../../test/pipeline.ts';
import { syncEvents } from '../../test/connections.ts';
import { reply } from '../../test/nock-reply.ts';
import { runPollerOnce } from '../../core/connections/poller.ts';
import { tokenEndpoint } from '../../core/connections/oauth-http.ts';
import servicetitan from './index.ts';
import { pollAppointments } from './poll.ts';
import type { StCtx } from './api.ts';
import { API, mockApi, mockToken, SECRETS as secrets, TENANT } from './nock-api.ts';

describe('servicetitan connector', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('is a valid vertical connector with client-credentials OAuth and a poll', () => {
    const registry = createRegistry();
    registry.register(servicetitan);
    assert.equal(servicetitan.oauth?.flow, 'client_credentials');
    // Each environment has its own token endpoint (the engine resolves it for the connection's config).
    const tokenUrl = (config: Record<string, unknown>) => tokenEndpoint(servicetitan.oauth!, config).tokenUrl;
    assert.equal(tokenUrl({ tenantId: TENANT }), 'https://auth.servicetitan.io/connect/token');
    assert.equal(tokenUrl({ tenantId: TENANT, environment: 'production' }), 'https://auth.servicetitan.io/connect/token');
    assert.equal(tokenUrl({ tenantId: TENANT, environment: 'integration' }), 'https://auth-integration.servicetitan.io/connect/token');
    assert.equal(servicetitan.poll?.intervalSeconds, 60);
    assert.deepEqual(servicetitan.validateConfig({ tenantId: TENANT }), []);
  });

  it('a page of appointments → job.dispatched with job, window, customer and technician; customers as people; the cursor moves to the newest change', async () => {
    mockApi('tok-1');
    const ctx: StCtx = {
      config: { tenantId: TENANT, startFrom: '2026-11-27T14:00:00.000Z' },
      secrets,
      auth: { accessToken: async () => 'tok-1', invalidate: async () => {} },
    };
    const page = await pollAppointments(null, ctx);
    assert.deepEqual(page.events.map((e) => [e.type, e.externalId, e.subject]), [
      ['job.dispatched', '61234501:Dispatched', { kind: 'phone', value: '+14155550134' }],
      ['job.dispatched', '61234777:Dispatched', { kind: 'email', value: 'lee.okafor@example.com' }],
    ]);
    assert.deepEqual(page.events[0]!.data, {
      job: { id: '61234400', number: '61234400', status: 'Dispatched', summary: 'No heat upstairs; furnace short-cycling' },
      appointment: { id: '61234501', number: '61234400-1', status: 'Dispatched', start: '2026-11-27T15:00:00Z', end: '2026-11-27T17:00:00Z', arrivalWindowStart: '2026-11-27T15:00:00Z', arrivalWindowEnd: '2026-11-27T17:00:00Z' },
      customer: { id: '61230011', name: 'Dana Whitfield', phone: '+14155550134', email: 'dana.whitfield@example.com' },
      technician: { id: '5550101', name: 'Marcus Reyes' },
      technicians: [{ id: '5550101', name: 'Marcus Reyes' }],
    });
    assert.deepEqual(page.people?.map((p) => [p.externalId, p.handle.kind, p.handle.value, p.name]), [
      ['61230011', 'phone', '+14155550134', 'Dana Whitfield'],
      ['61230011', 'email', 'dana.whitfield@example.com', 'Dana Whitfield'],
      ['61230099', 'email', 'lee.okafor@example.com', 'Lee Okafor'],
    ]);
    assert.deepEqual(JSON.parse(page.cursor!), { since: '2026-11-27T14:50:00Z', page: 1 });
    assert.equal(page.hasMore, false);
  });

  it('429 from ServiceTitan → rate_limited with Retry-After', async () => {
    nock(API).get(`/jpm/v2/tenant/${TENANT}/appointments`).query(true).reply(...reply(429, { title: 'Too Many Requests' }, { 'retry-after': '30' }));
    const ctx: StCtx = { config: { tenantId: TENANT }, secrets, auth: { accessToken: async () => 't', invalidate: async () => {} } };
    await assert.rejects(pollAppointments(null, ctx), (err: { code?: string; retryAfterMs?: number }) => err.code === 'rate_limited' && err.retryAfterMs === 30_000);
  });
});

describe('servicetitan through the engine: client-credentials token → poll → events and linked contacts, once', () => {
  const pipeline = usePipeline({ workers: false });
  let h: Harness;
  beforeAll(async () => {
    h = await pipeline.ready;
  });

  it('job dispatched → servicetitan.job.dispatched with the technician, subject contact linked as servicetitan; a re-poll adds nothing', async () => {
    const tokenScope = mockToken('st-token-1');
    const { seen } = mockApi('st-token-1');
    const { orgId, apiKey } = await h.newOrg();
    const res = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'servicetitan', name: 'ServiceTitan', config: { tenantId: TENANT, startFrom: '2026-11-27T14:00:00.000Z' }, secrets });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await runPollerOnce(h.engine);
    assert.ok(tokenScope.isDone(), 'the token was minted with client credentials in the body');
    const events = (await syncEvents(h, apiKey)).filter((e) => e.type === 'servicetitan.job.dispatched');
    assert.deepEqual(events.map((e) => e.data.technician.name), ['Marcus Reyes', 'Priya Natarajan']);
    const dana = (await h.call(apiKey, 'GET', `/v1/contacts/${events[0]!.data.contactId}`)).body;
    assert.equal(dana.name, 'Dana Whitfield');
    assert.deepEqual(dana.links.map((l: { system: string; externalId: string }) => [l.system, l.externalId]), [['servicetitan', '61230011']]);
    assert.deepEqual(dana.handles.map((x: { kind: string }) => x.kind).sort(), ['email', 'phone']);
    const lee = (await h.call(apiKey, 'GET', `/v1/contacts/${events[1]!.data.contactId}`)).body;
    assert.deepEqual(lee.handles.map((x: { kind: string; value: string }) => [x.kind, x.value]), [['email', 'lee.okafor@example.com']]);

    await h.engine.tenant(orgId, (tx) => tx.trx('poll_schedules').update({ next_run_at: tx.trx.raw(`now() - interval '1 second'`) }).returning('connection_id'));
    await runPollerOnce(h.engine);
    assert.deepEqual(seen.slice(-2), ['2026-11-27T14:00:00.000Z', '2026-11-27T14:50:00Z'], 'the second poll starts at the newest change seen');
    assert.equal((await syncEvents(h, apiKey)).filter((e) => e.type === 'servicetitan.job.dispatched').length, 2);
  });
});
