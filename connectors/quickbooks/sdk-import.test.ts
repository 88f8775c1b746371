import assert from 'node:assert/strict';
import { describe, it, afterAll } from 'vitest';
import nock from 'nock';
import { ConnectorError } from '../kit/index.ts';

/**
 * node-quickbooks runs code when it is loaded (QuickBooks.setOauthVersion('1.0')), and its OAuth 2.0
 * variant fetches Intuit's discovery document. This file imports the connector only once the net is
 * closed and every request nock sees is recorded: the first one must be the connector's own read.
 * (A file of its own, in vitest.config.ts's isolated project: a fresh process, so nothing imported it before.)
 */
describe('node-quickbooks: loading the SDK and making a client send nothing', () => {
  afterAll(() => {
    nock.emitter.removeAllListeners('no match');
    nock.enableNetConnect();
  });

  it('importing the connector (and the SDK) makes no request; the first request is the poll\'s CDC read', async () => {
    nock.disableNetConnect();
    const seen: string[] = [];
    nock.emitter.on('no match', (req: { hostname?: string; host?: string; path?: string }) => seen.push(`${req.hostname ?? req.host}${req.path ?? ''}`));
    const { pollChanges } = await import('./poll.ts');
    await import('./index.ts');
    const ctx = {
      config: { realmId: '9341453050773651', startFrom: '2026-11-27T16:00:00Z' },
      secrets: { clientId: 'ABtestClientId', clientSecret: 'testClientSecret' },
      auth: { accessToken: async () => 'qb-access-1', invalidate: async () => {} },
    };
    // No interceptor: the read is refused. A request made while loading would have been recorded before it.
    await assert.rejects(pollChanges(null, ctx), (err: unknown) => ConnectorError.is(err) && err.code === 'vendor_unavailable');
    assert.equal(seen.length, 1, seen.join('\n'));
    assert.match(seen[0]!, /^quickbooks\.api\.intuit\.com(:443)?\/v3\/company\/9341453050773651\/cdc\?entities=Customer,Invoice,Payment&changedSince=2026-11-27T16:00:00Z&/);
  });
});
