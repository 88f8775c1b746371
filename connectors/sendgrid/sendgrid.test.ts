import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as ecdsaSign } from 'node:crypto';
import { describe, it } from 'vitest';
import {
  assertFixture,
  assertRejected,
  assertVerified,
  loadFixture,
  loadFixtures,
  runFixture,
  type Fixture,
} from '../kit/harness.ts';
import { createRegistry, mapInbound, mapOutbound, MappingError, type NormalizedEvent, type RawRequest } from '../kit/index.ts';
import sendgrid from './index.ts';
import type { SendGridConfig, SendGridSecrets } from './index.ts';

const fixturesDir = new URL('./fixtures/', import.meta.url).pathname;
const url = 'https://sb.example.com/v1/receive/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

/** A real P-256 pair, as SendGrid generates for a Signed Event Webhook: the public half is what its settings page shows. */
function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    publicBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    privateBase64: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
    privateKey,
  };
}
const keys = keyPair();
const config: SendGridConfig = { fromAddress: 'support@mail.acme-pm.com', eventWebhookPublicKey: keys.publicBase64 };
const secrets: SendGridSecrets = { apiKey: 'SG.test-key', inboundSecret: 'pm-inbound-7f3a9c2e51d4', eventWebhookSigningKey: keys.privateBase64 };
const opts = { config, secrets, url };

/** What SendGrid's sender does: ECDSA-SHA256 over the timestamp followed by the exact payload bytes, base64 DER. */
function sendgridHeaders(body: string, timestamp: number, privateKey = keys.privateKey) {
  const signature = ecdsaSign('sha256', Buffer.concat([Buffer.from(String(timestamp)), Buffer.from(body)]), privateKey).toString('base64');
  return { 'X-Twilio-Email-Event-Webhook-Signature': signature, 'X-Twilio-Email-Event-Webhook-Timestamp': String(timestamp) };
}

function recorded(fixture: Fixture, headers: Record<string, string>, at = url): Fixture {
  return { ...fixture, signature: 'recorded', request: { ...fixture.request, url: at, headers: { ...fixture.request.headers, ...headers } } };
}

describe('sendgrid connector definition', () => {
  it('is a valid email channel connector, registrable, with the documented config', () => {
    const registry = createRegistry();
    registry.register(sendgrid);
    assert.equal(registry.resolve('sendgrid', 1), sendgrid);
    assert.deepEqual([sendgrid.kind, sendgrid.channels], ['channel', ['email']]);
    assert.deepEqual(sendgrid.validateConfig(config), []);
    assert.deepEqual(sendgrid.validateConfig({ fromAddress: 'not-an-address', region: 'us' }), [
      'config/fromAddress: must match format "email"',
      'config/region: must be equal to one of the allowed values (global, eu)',
    ]);
    assert.deepEqual(sendgrid.validateSecrets({ apiKey: 'abc', inboundSecret: 'short' }), [
      'secrets/apiKey: must match pattern "^SG\\."',
      'secrets/inboundSecret: must NOT have fewer than 16 characters',
    ]);
  });
});

describe('sendgrid fixtures: sign → verify → map', () => {
  for (const fixture of loadFixtures(fixturesDir)) {
    it(fixture.name, async () => {
      await assertFixture(sendgrid, fixture, opts);
    });
  }

  it('hands verified events to the ingest step', async () => {
    const seen: NormalizedEvent[][] = [];
    const result = await runFixture(sendgrid, loadFixture(`${fixturesDir}/inbound-parse-reply.json`), { ...opts, ingest: (events) => seen.push(events) });
    assert.deepEqual(seen, [result.events]);
  });
});

describe('sendgrid Event Webhook signature (ECDSA P-256, @sendgrid/eventwebhook)', () => {
  const fixture = loadFixture(`${fixturesDir}/event-webhook-batch.json`);
  const body = fixture.request.body as string;
  const ts = 1_795_790_800;
  const now = () => ts * 1000 + 30_000;
  const ingest = () => assert.fail('a refused request must not be ingested');

  it('accepts a signature made the way SendGrid makes it', async () => {
    const result = await runFixture(sendgrid, recorded(fixture, sendgridHeaders(body, ts)), { config, secrets, now });
    assertVerified(result);
    assert.deepEqual(result.events, fixture.expect);
  });

  it('refuses a tampered payload, another key, a missing signature and a malformed one', async () => {
    const signed = recorded(fixture, sendgridHeaders(body, ts));
    const tampered = await runFixture(sendgrid, signed, { config, secrets, now, ingest, mutate: (req) => ({ ...req, body: Buffer.from(req.body.toString().replace('"delivered"', '"dropped"')) }) });
    assertRejected(tampered, 'bad_signature');
    const retimed = await runFixture(sendgrid, signed, { config, secrets, now, ingest, mutate: (req) => ({ ...req, headers: { ...req.headers, 'X-Twilio-Email-Event-Webhook-Timestamp': String(ts + 1) } }) });
    assertRejected(retimed, 'bad_signature');
    const other = keyPair();
    assertRejected(await runFixture(sendgrid, recorded(fixture, sendgridHeaders(body, ts, other.privateKey)), { config, secrets, now, ingest }), 'bad_signature');
    assertRejected(await runFixture(sendgrid, recorded(fixture, {}), { config, secrets, now, ingest }), 'missing_signature');
    const garbage = { 'X-Twilio-Email-Event-Webhook-Signature': 'bm90IGEgc2lnbmF0dXJl', 'X-Twilio-Email-Event-Webhook-Timestamp': String(ts) };
    assertRejected(await runFixture(sendgrid, recorded(fixture, garbage), { config, secrets, now, ingest }), 'malformed');
  });

  it('refuses a valid signature outside the 5-minute replay window, in either direction', async () => {
    const signed = recorded(fixture, sendgridHeaders(body, ts));
    assertRejected(await runFixture(sendgrid, signed, { config, secrets, now: () => (ts + 301) * 1000 }), 'stale');
    assertRejected(await runFixture(sendgrid, signed, { config, secrets, now: () => (ts - 301) * 1000 }), 'stale');
    assertVerified(await runFixture(sendgrid, signed, { config, secrets, now: () => (ts + 299) * 1000 }));
  });

  it('refuses every Event Webhook request when no verification key is configured', async () => {
    const { eventWebhookPublicKey: _unused, ...withoutKey } = config;
    assertRejected(await runFixture(sendgrid, recorded(fixture, sendgridHeaders(body, ts)), { config: withoutKey, secrets, now }), 'missing_secret');
  });

  it('maps a batch of unknown events to nothing, and refuses a JSON body that is not an event array', async () => {
    const req = (b: string): RawRequest => ({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: Buffer.from(b) });
    assert.deepEqual(await mapInbound(sendgrid.manifest, req('[{"event":"account_status_change","type":"compliance_suspend"}]')), []);
    await assert.rejects(mapInbound(sendgrid.manifest, req('{"event":"delivered"}')), (err: unknown) => MappingError.is(err) && /no inbound rule matches/.test(err.problems[0]!));
  });

  it('round-trips sandbox status callbacks: simulateStatus → sign → verify → the same canonical status', async () => {
    for (const status of ['sent', 'delivered', 'read', 'undelivered', 'failed'] as const) {
      const simulated = await sendgrid.simulateStatus!({ providerMessageId: 'W86EgYT6SQKk0lRflfLRsA', status }, { config, secrets, now });
      const result = await runFixture(sendgrid, { name: status, request: { headers: simulated.headers, body: simulated.body } }, { config, secrets, now });
      assertVerified(result);
      assert.deepEqual(result.events.map((e) => (e.kind === 'status' ? [e.providerMessageId, e.status] : e.kind)), [['W86EgYT6SQKk0lRflfLRsA', status]]);
    }
  });
});

describe('sendgrid Inbound Parse shared secret', () => {
  const fixture = loadFixture(`${fixturesDir}/inbound-parse-reply.json`);
  const basic = (user: string, pass: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });

  it('accepts the secret as ?secret= or as the basic-auth password (any user name)', async () => {
    assertVerified(await runFixture(sendgrid, recorded(fixture, {}, `${url}?secret=${secrets.inboundSecret}`), { config, secrets }));
    assertVerified(await runFixture(sendgrid, recorded(fixture, basic('parse', secrets.inboundSecret!)), { config, secrets }));
  });

  it('refuses a wrong or missing secret, and calls no ingest', async () => {
    const ingest = () => assert.fail('a refused request must not be ingested');
    assertRejected(await runFixture(sendgrid, recorded(fixture, {}, `${url}?secret=pm-inbound-7f3a9c2e51d5`), { config, secrets, ingest }), 'bad_signature');
    assertRejected(await runFixture(sendgrid, recorded(fixture, basic('sendgrid', 'guess')), { config, secrets, ingest }), 'bad_signature');
    assertRejected(await runFixture(sendgrid, recorded(fixture, {}), { config, secrets, ingest }), 'missing_signature');
  });

  it('without a configured secret, accepts Inbound Parse as is (documented: the URL is the only protection)', async () => {
    const { inboundSecret: _unused, ...noSecret } = secrets;
    assertVerified(await runFixture(sendgrid, recorded(fixture, {}), { config, secrets: noSecret, url }));
  });

  it('refuses a body that is neither an Inbound Parse form nor an Event Webhook batch', async () => {
    const form: Fixture = { name: 'urlencoded', signature: 'recorded', request: { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' } };
    assertRejected(await runFixture(sendgrid, form, opts), 'malformed');
  });
});

describe('sendgrid Inbound Parse mapping details', () => {
  const form = (parts: Array<[string, Buffer | string]>) => {
    const chunks = parts.flatMap(([name, value]) => [Buffer.from(`--xYzZY\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`), Buffer.from(value), Buffer.from('\r\n')]);
    return Buffer.concat([...chunks, Buffer.from('--xYzZY--\r\n')]);
  };
  const request = (body: Buffer): RawRequest => ({ method: 'POST', url, headers: { 'content-type': 'multipart/form-data; boundary=xYzZY' }, body });

  it('decodes the HTML body in the charset "charsets" names, and reads it as text when there is no text part', async () => {
    const html = Buffer.from('<html><body><p>Bonjour,</p><p>Il y a une fuite d&#39;eau &agrave; la cuisine.</p><p>Ren\u00e9e</p></body></html>', 'latin1');
    const events = await mapInbound(
      sendgrid.manifest,
      request(
        form([
          ['headers', 'From: "Dupré, Renée" <renee.dupre@example.fr>\nMessage-ID: <20261127160158.4F2A1@webmail.example.fr>\nSubject: =?ISO-8859-1?Q?Fuite_d=27eau?=\n'],
          ['from', '"Dupré, Renée" <renee.dupre@example.fr>'],
          ['to', 'support@reply.acme-pm.com'],
          ['subject', "Fuite d'eau"],
          ['html', html],
          ['attachments', '0'],
          ['charsets', '{"to":"UTF-8","html":"iso-8859-1","subject":"UTF-8","from":"UTF-8"}'],
        ]),
      ),
    );
    assert.deepEqual(events, [
      {
        kind: 'message',
        channel: 'email',
        from: { kind: 'email', value: 'renee.dupre@example.fr' },
        to: { address: 'support@reply.acme-pm.com' },
        providerMessageId: 'msgid:' + (await import('node:crypto')).createHash('sha256').update('<20261127160158.4F2A1@webmail.example.fr>').digest('hex'),
        subject: "Fuite d'eau",
        body: "Bonjour,\n\nIl y a une fuite d'eau à la cuisine.\n\nRenée",
        media: [],
        email: { messageId: '<20261127160158.4F2A1@webmail.example.fr>' },
      },
      { kind: 'contact_update', handle: { kind: 'email', value: 'renee.dupre@example.fr' }, name: 'Dupré, Renée' },
    ]);
  });

  it('gives a mail without Message-ID a stable id from its content (SendGrid retries must not duplicate it)', async () => {
    const body = form([['headers', 'From: a@example.com\n'], ['from', 'a@example.com'], ['to', 'support@reply.acme-pm.com'], ['text', 'no id']]);
    const [first] = await mapInbound(sendgrid.manifest, request(body));
    const [again] = await mapInbound(sendgrid.manifest, request(body));
    assert.match((first as { providerMessageId: string }).providerMessageId, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(first, again);
  });
});

describe('sendgrid outbound mapping', () => {
  const base = { messageId: '0193a1b2-0000-7000-8000-00000000000a', channel: 'email', to: { kind: 'email', value: 'jane.tenant@example.com' }, body: 'The plumber comes tomorrow at 9.' };

  it('sends from the message sender or the configured address, with our Message-ID and custom args', async () => {
    assert.deepEqual(await mapOutbound(sendgrid.manifest, { ...base, subject: 'Plumber visit' }, { config: { ...config, fromName: 'Acme PM' } }), {
      to: 'jane.tenant@example.com',
      from: { email: 'support@mail.acme-pm.com', name: 'Acme PM' },
      subject: 'Plumber visit',
      text: 'The plumber comes tomorrow at 9.',
      headers: { 'Message-ID': '<0193a1b2-0000-7000-8000-00000000000a@mail.acme-pm.com>' },
      customArgs: { switchboard_message_id: '0193a1b2-0000-7000-8000-00000000000a' },
    });
    const out = await mapOutbound(sendgrid.manifest, { ...base, from: { address: 'unit4b@pm.example.org' } }, { config: { ...config, defaultSubject: 'Message from Acme' } });
    assert.deepEqual([out.from, out.subject, (out.headers as Record<string, string>)['Message-ID']], [
      { email: 'unit4b@pm.example.org' },
      'Message from Acme',
      '<0193a1b2-0000-7000-8000-00000000000a@pm.example.org>',
    ]);
  });

  it('threads replies: In-Reply-To, and References ending with the parent', async () => {
    const out = await mapOutbound(
      sendgrid.manifest,
      { ...base, subject: 'Re: Plumber visit', email: { inReplyTo: '<CAHk7x2Lq9vW+3aQe1zZ@mail.example.com>', references: ['<0193a1b2-0000-7000-8000-000000000001@mail.acme-pm.com>'] } },
      { config: { ...config, messageIdDomain: 'threads.acme-pm.com' } },
    );
    assert.deepEqual(out.headers, {
      'Message-ID': '<0193a1b2-0000-7000-8000-00000000000a@threads.acme-pm.com>',
      'In-Reply-To': '<CAHk7x2Lq9vW+3aQe1zZ@mail.example.com>',
      References: '<0193a1b2-0000-7000-8000-000000000001@mail.acme-pm.com> <CAHk7x2Lq9vW+3aQe1zZ@mail.example.com>',
    });
  });
});
