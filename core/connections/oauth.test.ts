import { describe, it, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import nock from 'nock';
import { ConnectorError, defineConnector } from '../../connectors/kit/index.ts';
import type { Harness } from '../../test/harness.ts';
import { usePipeline } from '../../test/pipeline.ts';
import { integrationContext, withAuthRetry } from './oauth.ts';
import { readTokens, saveTokens } from './oauth-store.ts';
import { reply } from '../../test/nock-reply.ts';

const AUTH = 'https://auth.oauth-test.example';

const schemas = {
  configSchema: { type: 'object' },
  secretsSchema: { type: 'object', properties: { clientId: { type: 'string' }, clientSecret: { type: 'string' }, accessToken: { type: 'string' } } },
  manifest: {},
};
const codeConnector = defineConnector({
  id: 'oauth-code-test', version: '1.0.0', kind: 'crm', displayName: 'OAuth code test', capabilities: [], ...schemas,
  oauth: { flow: 'authorization_code', authorizeUrl: `${AUTH}/authorize`, tokenUrl: `${AUTH}/token`, scopes: ['contacts', 'timeline'], clientAuth: 'basic', pkce: true },
});
// The redirect names the account the admin connected (Intuit: realmId): saved into the config.
const callbackConnector = defineConnector({
  id: 'oauth-callback-test', version: '1.0.0', kind: 'payments', displayName: 'OAuth callback config test', capabilities: [], ...schemas,
  configSchema: { type: 'object', additionalProperties: false, properties: { companyId: { type: 'string', pattern: '^[0-9]{1,32}$' }, region: { type: 'string' } } },
  oauth: { flow: 'authorization_code', authorizeUrl: `${AUTH}/authorize`, tokenUrl: `${AUTH}/token`, clientAuth: 'basic', callbackConfig: { company: 'companyId' } },
});
const ccConnector = defineConnector({
  id: 'oauth-cc-test', version: '1.0.0', kind: 'vertical', displayName: 'OAuth client credentials test', capabilities: [], ...schemas,
  oauth: { flow: 'client_credentials', tokenUrl: `${AUTH}/cc-token`, clientAuth: 'body' },
});

describe('OAuth2 token management', () => {
  let h: Harness;
  let org: { orgId: string; apiKey: string };

  const pipeline = usePipeline({ workers: false });
  beforeAll(async () => {
    h = await pipeline.ready;
    h.engine.connectors.register(codeConnector);
    h.engine.connectors.register(ccConnector);
    h.engine.connectors.register(callbackConnector);
    org = await h.newOrg();
  });

  async function connection(connector: string, secrets: Record<string, string> = { clientId: 'client-1', clientSecret: 's3cret' }) {
    const res = await h.call(org.apiKey, 'POST', '/v1/connections', { connector, name: connector, secrets });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as string;
  }
  const seed = (id: string, expiresInMs: number, refreshToken = 'rt-1') =>
    h.engine.tenant(org.orgId, (tx) => saveTokens(tx, id, { accessToken: 'at-old', refreshToken, expiresAt: Date.now() + expiresInMs, scopes: ['contacts'] }));
  const tokens = (id: string) => h.engine.tenant(org.orgId, (tx) => readTokens(tx, id));

  it('installs with the authorization code: signed state, PKCE, code exchanged and tokens stored', async () => {
    const id = await connection('oauth-code-test');
    const auth = await h.call(org.apiKey, 'GET', `/v1/connections/${id}/oauth/authorize`);
    assert.equal(auth.status, 200, JSON.stringify(auth.body));
    const url = new URL(auth.body.url);
    assert.equal(url.origin + url.pathname, `${AUTH}/authorize`);
    assert.equal(url.searchParams.get('client_id'), 'client-1');
    assert.equal(url.searchParams.get('scope'), 'contacts timeline');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    const state = url.searchParams.get('state')!;

    let form: URLSearchParams | undefined;
    const scope = nock(AUTH)
      .post('/token', (body) => ((form = new URLSearchParams(body as unknown as string)), true))
      .matchHeader('authorization', 'Basic ' + Buffer.from('client-1:s3cret').toString('base64'))
      .once()
      .reply(...reply(200, { access_token: 'at-1', refresh_token: 'rt-1', expires_in: 1800, scope: 'contacts timeline' }));
    const tampered = state.slice(0, -2) + (state.endsWith('AA') ? 'BB' : 'AA');
    assert.equal((await h.call(null, 'GET', `/v1/oauth/callback?code=abc&state=${encodeURIComponent(tampered)}`)).status, 400);

    const cb = await h.call(null, 'GET', `/v1/oauth/callback?code=abc&state=${encodeURIComponent(state)}`);
    assert.equal(cb.status, 200, JSON.stringify(cb.body));
    assert.deepEqual(cb.body, { connectionId: id, status: 'authorized', scopes: ['contacts', 'timeline'] });
    assert.ok(scope.isDone());
    assert.equal(form!.get('grant_type'), 'authorization_code');
    assert.equal(form!.get('code'), 'abc');
    assert.match(form!.get('code_verifier') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(form!.get('redirect_uri'), `${h.engine.config.publicUrl}/v1/oauth/callback`);
    const stored = await tokens(id);
    assert.equal(stored?.accessToken, 'at-1');
    assert.equal(stored?.refreshToken, 'rt-1');
    // Sealed at rest.
    const raw = await h.engine.tenant(org.orgId, (tx) => tx.trx('connection_tokens').where({ connection_id: id }).first());
    assert.ok(!Buffer.from(raw.tokens_enc).includes('at-1'));
  });

  it('the provider down during the code exchange is 502 provider_error (its outage, not the caller\'s request); a refused code stays 422', async () => {
    const id = await connection('oauth-code-test');
    const authorize = async () => new URL((await h.call(org.apiKey, 'GET', `/v1/connections/${id}/oauth/authorize`)).body.url).searchParams.get('state')!;
    nock(AUTH).post('/token').once().reply(503, 'upstream unavailable');
    const down = await h.call(null, 'GET', `/v1/oauth/callback?code=abc&state=${encodeURIComponent(await authorize())}`);
    assert.equal(down.status, 502, JSON.stringify(down.body));
    assert.equal(down.body.error.code, 'provider_error');
    assert.equal(down.body.error.details[0].reason, 'vendor_unavailable');
    assert.doesNotMatch(JSON.stringify(down.body), /upstream unavailable/);
    assert.equal(await tokens(id), null);

    nock(AUTH).post('/token').once().reply(...reply(400, { error: 'invalid_grant', error_description: 'code already used' }));
    const refused = await h.call(null, 'GET', `/v1/oauth/callback?code=abc&state=${encodeURIComponent(await authorize())}`);
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'unprocessable');
  });

  it('a denied consent (error=access_denied) is answered 422 authorization_denied and recorded on the connection; forged or foreign states stay 400', async () => {
    const id = await connection('oauth-code-test');
    const state = new URL((await h.call(org.apiKey, 'GET', `/v1/connections/${id}/oauth/authorize`)).body.url).searchParams.get('state')!;
    const denied = await h.call(null, 'GET', `/v1/oauth/callback?error=access_denied&error_description=${encodeURIComponent('The user denied the request')}&state=${encodeURIComponent(state)}`);
    assert.equal(denied.status, 422, JSON.stringify(denied.body));
    assert.equal(denied.body.error.code, 'authorization_denied');
    assert.match(denied.body.error.message, /access_denied \(The user denied the request\)/);
    assert.deepEqual(denied.body.error.details, [{ field: '/error', reason: 'access_denied' }]);
    const events = await h.engine.tenant(org.orgId, (tx) => tx.trx('events').where({ type: 'connection.authorization_denied', subject_id: id }));
    assert.equal(events.length, 1);
    assert.equal(await tokens(id), null);
    // Neither code nor error; a tampered state with an error; a state naming an org that does not exist.
    assert.equal((await h.call(null, 'GET', `/v1/oauth/callback?state=${encodeURIComponent(state)}`)).body.error.details[0].field, '/code');
    const tampered = state.slice(0, -2) + (state.endsWith('AA') ? 'BB' : 'AA');
    assert.equal((await h.call(null, 'GET', `/v1/oauth/callback?error=access_denied&state=${encodeURIComponent(tampered)}`)).status, 400);
    const foreign = Buffer.from(JSON.stringify({ o: '00000000-0000-4000-8000-000000000000', c: id, e: Date.now() + 60_000, n: 'x' })).toString('base64url') + '.mac';
    const unknown = await h.call(null, 'GET', `/v1/oauth/callback?code=abc&state=${foreign}`);
    assert.equal(unknown.status, 400, JSON.stringify(unknown.body));
    assert.equal(unknown.body.error.message, 'Invalid or expired OAuth state.');
    assert.equal((await h.engine.tenant(org.orgId, (tx) => tx.trx('events').where({ type: 'connection.authorization_denied', subject_id: id }))).length, 1);
  });

  it('saves the redirect parameters the connector declares (callbackConfig) into the config; a missing or invalid one fails before the code is spent', async () => {
    const created = await h.call(org.apiKey, 'POST', '/v1/connections', { connector: 'oauth-callback-test', name: 'Books', config: { region: 'us' }, secrets: { clientId: 'client-1', clientSecret: 's3cret' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    const state = new URL((await h.call(org.apiKey, 'GET', `/v1/connections/${id}/oauth/authorize`)).body.url).searchParams.get('state')!;
    const callback = (extra: string) => h.call(null, 'GET', `/v1/oauth/callback?code=abc&state=${encodeURIComponent(state)}${extra}`);

    // No token interceptor yet: had the code been exchanged, the answer would be a token failure, not a 400.
    const missing = await callback('');
    assert.equal(missing.status, 400, JSON.stringify(missing.body));
    assert.match(missing.body.error.message, /did not carry "company"/);
    assert.deepEqual(missing.body.error.details, [{ field: '/company', reason: 'is required' }]);
    const invalid = await callback('&company=not-a-number');
    assert.equal(invalid.status, 400, JSON.stringify(invalid.body));
    assert.ok(invalid.body.error.details.some((d: { field: string }) => d.field.endsWith('/companyId')), JSON.stringify(invalid.body.error.details));
    assert.deepEqual((await h.call(org.apiKey, 'GET', `/v1/connections/${id}`)).body.config, { region: 'us' });
    assert.equal(await tokens(id), null);

    const scope = nock(AUTH).post('/token').once().reply(...reply(200, { access_token: 'at-cb', refresh_token: 'rt-cb', expires_in: 3600 }));
    const done = await callback('&company=4620816365263389130');
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.ok(scope.isDone());
    assert.deepEqual((await h.call(org.apiKey, 'GET', `/v1/connections/${id}`)).body.config, { region: 'us', companyId: '4620816365263389130' });
    assert.equal((await tokens(id))?.accessToken, 'at-cb');
    const changes = await h.engine.tenant(org.orgId, async (tx) =>
      (await tx.trx('events').where({ type: 'connection.updated', subject_id: id })).map((e) => tx.crypto.decryptJson<{ changes: string[] }>(e.id, 'data', Buffer.from(e.data_enc))?.changes),
    );
    assert.deepEqual(changes, [['config']]);
  });

  it('an install started from the dashboard (returnTo) comes back with 303 to that page; other origins are refused up front (no open redirect)', async () => {
    const id = await connection('oauth-code-test');
    const authorize = (returnTo: string) => h.call(org.apiKey, 'GET', `/v1/connections/${id}/oauth/authorize?returnTo=${encodeURIComponent(returnTo)}`);
    for (const bad of ['https://evil.example/connectors', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'http://evil.example' + new URL(h.engine.config.publicUrl).pathname, '/ok\r\nSet-Cookie: x=1']) {
      const res = await authorize(bad);
      assert.equal(res.status, 400, `${bad}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(res.body.error.details, [{ field: '/returnTo', reason: 'must be a same-origin path' }], bad);
    }
    const stateFor = async (returnTo: string) => {
      const res = await authorize(returnTo);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return new URL(res.body.url).searchParams.get('state')!;
    };
    const callback = (query: string) => fetch(`${h.baseUrl}/v1/oauth/callback?${query}`, { redirect: 'manual' });

    const scope = nock(AUTH).post('/token').once().reply(...reply(200, { access_token: 'at-rt', refresh_token: 'rt-rt', expires_in: 1800 }));
    const ok = await callback(`code=abc&state=${encodeURIComponent(await stateFor(`/connectors/connections/${id}`))}`);
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), `/connectors/connections/${id}?oauth=authorized`);
    assert.ok(scope.isDone());
    assert.equal((await tokens(id))?.accessToken, 'at-rt');

    // An absolute URL on our own origin is kept as its path; a denied consent comes back too, saying so.
    const denied = await callback(`error=access_denied&state=${encodeURIComponent(await stateFor(`${h.engine.config.publicUrl}/connectors/connections/${id}?tab=1`))}`);
    assert.equal(denied.status, 303);
    assert.equal(denied.headers.get('location'), `/connectors/connections/${id}?tab=1&oauth=denied&error=authorization_denied`);
    // A code the provider refuses: back to the page with the error code, not a JSON page.
    nock(AUTH).post('/token').once().reply(...reply(400, { error: 'invalid_grant' }));
    const refused = await callback(`code=stale&state=${encodeURIComponent(await stateFor('/connectors'))}`);
    assert.equal(refused.status, 303);
    assert.equal(refused.headers.get('location'), '/connectors?oauth=failed&error=unprocessable');
    // A forged state is never trusted for a redirect: plain JSON 400.
    const forged = await callback(`code=abc&state=${encodeURIComponent(Buffer.from(JSON.stringify({ o: org.orgId, c: id, e: Date.now() + 60_000, n: 'x', r: '/x' })).toString('base64url') + '.mac')}`);
    assert.equal(forged.status, 400);
  });

  it('refreshes before expiry once for two concurrent refreshers, storing the rotated refresh token', async () => {
    const id = await connection('oauth-code-test');
    await seed(id, 30_000);
    let form: URLSearchParams | undefined;
    const scope = nock(AUTH)
      .post('/token', (body) => ((form = new URLSearchParams(body as unknown as string)), true))
      .once()
      .reply(...reply(200, { access_token: 'at-2', refresh_token: 'rt-2', expires_in: 1800 }));
    // Two workers: two contexts, each with its own view of the token.
    const [a, b] = await Promise.all([integrationContext(h.engine, org.orgId, id), integrationContext(h.engine, org.orgId, id)]);
    const got = await Promise.all([a.auth!.accessToken(), b.auth!.accessToken()]);
    assert.deepEqual(got, ['at-2', 'at-2']);
    assert.ok(scope.isDone());
    assert.equal(form!.get('grant_type'), 'refresh_token');
    assert.equal(form!.get('refresh_token'), 'rt-1');
    const stored = await tokens(id);
    assert.equal(stored?.refreshToken, 'rt-2');
    assert.ok(stored!.expiresAt! > Date.now() + 1700_000);
    // Fresh now: no further token call (nock would refuse it).
    assert.equal(await a.auth!.accessToken(), 'at-2');
  });

  it('refreshes once on a 401 and retries the call', async () => {
    const id = await connection('oauth-code-test');
    await seed(id, 3600_000);
    const scope = nock(AUTH).post('/token').once().reply(...reply(200, { access_token: 'at-3', expires_in: 1800 }));
    const ctx = await integrationContext(h.engine, org.orgId, id);
    const seen: string[] = [];
    const out = await withAuthRetry(ctx, async () => {
      const token = await ctx.auth!.accessToken();
      seen.push(token);
      if (token === 'at-old') throw new ConnectorError('auth_failed', 'expired', { httpStatus: 401 });
      return 'ok';
    });
    assert.equal(out, 'ok');
    assert.deepEqual(seen, ['at-old', 'at-3']);
    assert.ok(scope.isDone());
    // The provider did not rotate: the previous refresh token is kept.
    assert.equal((await tokens(id))?.refreshToken, 'rt-1');
  });

  it('invalid_grant marks the connection error with an event, and later calls fail fast', async () => {
    const id = await connection('oauth-code-test');
    await seed(id, 10_000);
    const scope = nock(AUTH).post('/token').once().reply(...reply(400, { error: 'invalid_grant', error_description: 'refresh token revoked' }));
    const ctx = await integrationContext(h.engine, org.orgId, id);
    await assert.rejects(ctx.auth!.accessToken(), (err: unknown) => ConnectorError.is(err) && err.code === 'auth_failed' && !err.retryable);
    assert.ok(scope.isDone());
    const conn = await h.call(org.apiKey, 'GET', `/v1/connections/${id}`);
    assert.equal(conn.body.status, 'error');
    assert.match(conn.body.statusReason, /invalid_grant/);
    const events = await h.engine.tenant(org.orgId, (tx) => tx.trx('events').where({ type: 'connection.auth_failed', subject_id: id }));
    assert.equal(events.length, 1);
    // No interceptor left: a second token call would fail with a network error, not auth_failed.
    await assert.rejects(ctx.auth!.accessToken(), (err: unknown) => ConnectorError.is(err) && err.code === 'auth_failed');
    const other = await integrationContext(h.engine, org.orgId, id);
    await assert.rejects(other.auth!.accessToken(), (err: unknown) => ConnectorError.is(err) && err.code === 'auth_failed');
  });

  it('a transient token endpoint failure is retryable and leaves the connection active', async () => {
    const id = await connection('oauth-code-test');
    await seed(id, 10_000);
    nock(AUTH).post('/token').once().reply(...reply(503, { error: 'temporarily_unavailable' }));
    const ctx = await integrationContext(h.engine, org.orgId, id);
    await assert.rejects(ctx.auth!.accessToken(), (err: unknown) => ConnectorError.is(err) && err.code === 'vendor_unavailable' && err.retryable);
    assert.equal((await h.call(org.apiKey, 'GET', `/v1/connections/${id}`)).body.status, 'active');
  });

  it('mints client-credentials tokens, and again on expiry', async () => {
    const id = await connection('oauth-cc-test');
    const forms: URLSearchParams[] = [];
    const scope = nock(AUTH)
      .post('/cc-token', (body) => (forms.push(new URLSearchParams(body as unknown as string)), true))
      .once()
      .reply(...reply(200, { access_token: 'cc-1', expires_in: 30 }))
      .post('/cc-token')
      .once()
      .reply(...reply(200, { access_token: 'cc-2', expires_in: 900 }));
    const ctx = await integrationContext(h.engine, org.orgId, id);
    assert.equal(await ctx.auth!.accessToken(), 'cc-1');
    assert.equal(forms[0]!.get('grant_type'), 'client_credentials');
    assert.equal(forms[0]!.get('client_id'), 'client-1');
    assert.equal(forms[0]!.get('client_secret'), 's3cret');
    // 30 s lifetime is within the refresh margin: the next call mints a new one.
    assert.equal(await ctx.auth!.accessToken(), 'cc-2');
    assert.equal(await ctx.auth!.accessToken(), 'cc-2');
    assert.ok(scope.isDone());
  });

  it('uses a private-app token as it is', async () => {
    const id = await connection('oauth-code-test', { accessToken: 'pat-123' });
    const ctx = await integrationContext(h.engine, org.orgId, id);
    assert.equal(await ctx.auth!.accessToken(), 'pat-123');
  });
});
