import { readFileSync } from 'node:fs';
import nock from 'nock';
import { reply } from '../../test/nock-reply.ts';

/**
 * For tests: ServiceTitan's token endpoint and its JPM / CRM / Dispatch v2 API intercepted with
 * nock, answered from ./fixtures (the documented payloads). Shared by the connector's own tests
 * and the end-to-end rule test.
 */
export const API = 'https://api.servicetitan.io';
export const TENANT = '1045382';
export const SECRETS = { clientId: 'cid.test', clientSecret: 'cs.test', appKey: 'ak1.test-app-key' };

export const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));

/** POST /connect/token with the client credentials in the form body → the documented token answer (once). */
export function mockToken(token: string) {
  return nock('https://auth.servicetitan.io')
    .post('/connect/token', (body) => body.grant_type === 'client_credentials' && body.client_id === SECRETS.clientId && body.client_secret === SECRETS.clientSecret)
    .reply(...reply(200, { access_token: token, expires_in: 900, token_type: 'Bearer', scope: 'tn.jpm.appointments:r' }));
}

/**
 * The API, for as long as the test runs (persisted): every call must carry the bearer token and
 * the app key. `seen` collects the modifiedOnOrAfter of each appointments page asked for.
 */
export function mockApi(token: string) {
  const seen: string[] = [];
  const scope = nock(API, { reqheaders: { authorization: `Bearer ${token}`, 'st-app-key': SECRETS.appKey } })
    .persist()
    .get(`/jpm/v2/tenant/${TENANT}/appointments`)
    .query(true)
    .reply((uri) => {
      seen.push(new URL(uri, API).searchParams.get('modifiedOnOrAfter') ?? '');
      return reply(200, fixture('appointments-page'));
    })
    .get(`/dispatch/v2/tenant/${TENANT}/appointment-assignments`)
    .query({ appointmentIds: '61234501,61234777', pageSize: '500' })
    .reply(() => reply(200, fixture('appointment-assignments')))
    .get(new RegExp(`/jpm/v2/tenant/${TENANT}/jobs/\\d+$`))
    .reply((uri) => reply(200, fixture(`job-${uri.split('/').pop()}`)))
    .get(new RegExp(`/crm/v2/tenant/${TENANT}/customers/\\d+$`))
    .reply((uri) => reply(200, fixture(`customer-${uri.split('/').pop()}`)))
    .get(new RegExp(`/crm/v2/tenant/${TENANT}/customers/\\d+/contacts$`))
    .reply((uri) => reply(200, fixture(`customer-${uri.split('/').at(-2)}-contacts`)));
  return { scope, seen };
}
