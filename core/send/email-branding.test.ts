import { test } from 'vitest';
import assert from 'node:assert/strict';
import nock from 'nock';
import type { Harness } from '../../test/harness.ts';
import { usePipeline } from '../../test/pipeline.ts';
import { waitFor } from '../../test/wait.ts';
import { reply } from '../../test/nock-reply.ts';

/**
 * White-label email: an outgoing email's From name is the org's branding.emailFromName (through the
 * real @sendgrid/mail SDK, nock at HTTP level), unless the connection names its own sender.
 */
const pipeline = usePipeline();

async function sentFrom(h: Harness, branding: Record<string, unknown>, config: Record<string, unknown>) {
  const { apiKey } = await h.newOrg();
  assert.equal((await h.call(apiKey, 'PATCH', '/v1/org', { settings: { branding } })).status, 200);
  const conn = await h.call(apiKey, 'POST', '/v1/connections', {
    connector: 'sendgrid',
    wire: false,
    name: 'SendGrid',
    config: { fromAddress: 'leasing@sunset.example', ...config },
    secrets: { apiKey: 'SG.test-key-000000000000.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' },
  });
  assert.equal(conn.status, 201, JSON.stringify(conn.body));
  let mail: any;
  nock('https://api.sendgrid.com')
    .post('/v3/mail/send', (b: any) => ((mail = b), true))
    .reply(...reply(202, '', { 'x-message-id': 'sg-brand-0001' }));
  const msg = await h.call(apiKey, 'POST', '/v1/messages', { channel: 'email', to: { handle: { kind: 'email', value: 'tenant@example.com' } }, subject: 'Rent receipt', body: 'Thanks, received.' });
  assert.equal(msg.status, 201, JSON.stringify(msg.body));
  await waitFor('the email to be sent', async () => ((await h.call(apiKey, 'GET', `/v1/messages/${msg.body.id}`)).body.status === 'sent' ? true : null), 8_000, 50);
  return mail.from;
}

test("an email's From name is the org's white-label emailFromName; a connection's own fromName wins", async () => {
  const h = await pipeline.ready;
  assert.deepEqual(await sentFrom(h, { displayName: 'Sunset Apartments', emailFromName: 'Sunset Apartments Leasing' }, {}), { email: 'leasing@sunset.example', name: 'Sunset Apartments Leasing' });
  assert.deepEqual(await sentFrom(h, { displayName: 'Sunset Apartments' }, {}), { email: 'leasing@sunset.example', name: 'Sunset Apartments' }, 'the display name by default');
  assert.deepEqual(await sentFrom(h, { emailFromName: 'Sunset Apartments Leasing' }, { fromName: 'Front Desk' }), { email: 'leasing@sunset.example', name: 'Front Desk' });
});

test("the org's (or its platform's) emailFromDomain becomes the From address's domain, the local part kept; the Message-ID follows it", async () => {
  const h = await pipeline.ready;
  const { apiKey } = await h.newOrg();
  assert.equal((await h.call(apiKey, 'PATCH', '/v1/org', { settings: { branding: { displayName: 'Sunset Apartments', emailFromDomain: 'mail.sunset-apartments.example' } } })).status, 200);
  const conn = await h.call(apiKey, 'POST', '/v1/connections', {
    connector: 'sendgrid',
    name: 'SendGrid',
    config: { fromAddress: 'leasing@platform-shared.example' },
    secrets: { apiKey: 'SG.test-key-000000000000.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' },
  });
  assert.equal(conn.status, 201, JSON.stringify(conn.body));
  let mail: any;
  nock('https://api.sendgrid.com')
    .post('/v3/mail/send', (b: any) => ((mail = b), true))
    .reply(...reply(202, '', { 'x-message-id': 'sg-brand-0002' }));
  const msg = await h.call(apiKey, 'POST', '/v1/messages', { channel: 'email', to: { handle: { kind: 'email', value: 'tenant@example.com' } }, subject: 'Lease renewal', body: 'Your renewal is ready.' });
  assert.equal(msg.status, 201, JSON.stringify(msg.body));
  await waitFor('the email to be sent', async () => ((await h.call(apiKey, 'GET', `/v1/messages/${msg.body.id}`)).body.status === 'sent' ? true : null), 8_000, 50);
  assert.deepEqual(mail.from, { email: 'leasing@mail.sunset-apartments.example', name: 'Sunset Apartments' });
  assert.match(mail.headers['Message-ID'], /@mail\.sunset-apartments\.example>$/);
  assert.deepEqual(mail.personalizations[0].to, [{ email: 'tenant@example.com' }]);
});
