/**
 * Preloaded into the `switchboard start` child of connection-page.browser.test.ts (NODE_OPTIONS
 * --import): HubSpot's token endpoint, intercepted with nock, answers the authorization-code
 * exchange in HubSpot's documented shape (POST https://api.hubapi.com/oauth/v1/token, form fields
 * grant_type, client_id, client_secret, redirect_uri, code → token_type, refresh_token,
 * access_token, expires_in). Only the code the test's consent page hands out, for the test's OAuth
 * app, is accepted: anything else reaches no interceptor and the exchange fails.
 */
import nock from 'nock';

const code = process.env.TEST_HUBSPOT_CODE;
const clientId = process.env.TEST_HUBSPOT_CLIENT_ID;
const clientSecret = process.env.TEST_HUBSPOT_CLIENT_SECRET;

nock('https://api.hubapi.com')
  .post('/oauth/v1/token', (body) => {
    const form = new URLSearchParams(body);
    return form.get('grant_type') === 'authorization_code' && form.get('code') === code && form.get('client_id') === clientId && form.get('client_secret') === clientSecret && /\/v1\/oauth\/callback$/.test(form.get('redirect_uri') ?? '');
  })
  .once()
  .reply(200, { token_type: 'bearer', refresh_token: 'na1-6a3d-refresh-test', access_token: 'CJSP5qf1KhICAQEYs-gDIIGOBii1-test', expires_in: 1800 }, { 'content-type': 'application/json;charset=utf-8' });
