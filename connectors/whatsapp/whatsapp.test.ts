import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { assertFixture, assertRejected, assertVerified, buildRequest, loadFixture, loadFixtures, runFixture, type Fixture } from '../kit/harness.ts';
import { ConnectorError, createRegistry, hmacHex, mapInbound, mapOutbound, MappingError, type OutboundMessage, type RawRequest } from '../kit/index.ts';
import whatsapp from './index.ts';
import type { WhatsAppConfig } from './index.ts';
import { DEFAULT_GRAPH_API_VERSION } from './schemas.ts';

const fixturesDir = new URL('./fixtures/', import.meta.url).pathname;
const APP_SECRET = '3f1c9a7e5b2d4f6a8c0e1b3d5f7a9c2e';
const config: WhatsAppConfig = { phoneNumberId: '106540352242922', wabaId: '102290129340398', verifyToken: 'tok_9f8e7d6c5b4a' };
const secrets = { accessToken: 'EAAG-test-token', appSecret: APP_SECRET };
const url = 'https://sb.example.com/v1/receive/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const opts = { config, secrets, url };
const ctx = { config, secrets };

describe('whatsapp connector definition', () => {
  it('is a valid channel connector with the 24-hour window declared', () => {
    const registry = createRegistry();
    registry.register(whatsapp);
    assert.equal(registry.resolve('whatsapp', 1), whatsapp);
    assert.equal(whatsapp.manifest.outbound?.customerServiceWindowHours, 24);
    assert.deepEqual(whatsapp.validateConfig(config), []);
    assert.deepEqual(whatsapp.validateConfig({ phoneNumberId: '+1 555', verifyToken: 'short', graphApiVersion: '21' }), [
      'config/phoneNumberId: must match pattern "^[0-9]{1,32}$"',
      'config/graphApiVersion: must match pattern "^v[0-9]{1,3}\\.[0-9]{1,2}$"',
      'config/verifyToken: must NOT have fewer than 8 characters',
    ]);
    assert.deepEqual(whatsapp.validateSecrets({ accessToken: 'x' }), ["secrets/: must have required property 'appSecret'"]);
  });
});

describe('whatsapp fixtures: sign → verify → map', () => {
  for (const fixture of loadFixtures(fixturesDir)) {
    it(fixture.name, async () => {
      await assertFixture(whatsapp, fixture, opts);
    });
  }

  it('media nodes use the connection\'s Graph API version, else the default', async () => {
    const fixture = loadFixture(`${fixturesDir}/inbound-image.json`);
    const [byDefault] = (await runFixture(whatsapp, fixture, opts)).events as { media: { url: string }[] }[];
    assert.equal(byDefault!.media[0]!.url, `https://graph.facebook.com/${DEFAULT_GRAPH_API_VERSION}/1048839186745391`);
    const [pinned] = (await runFixture(whatsapp, fixture, { ...opts, config: { ...config, graphApiVersion: 'v23.0' } })).events as { media: { url: string }[] }[];
    assert.equal(pinned!.media[0]!.url, 'https://graph.facebook.com/v23.0/1048839186745391');
  });

  it('verifies a signature computed independently over the escaped bytes Meta sends', async () => {
    const fixture = loadFixture(`${fixturesDir}/inbound-text-unicode.json`);
    const raw = fixture.request.body as string;
    assert.ok(raw.includes('\\u00e0') && !raw.includes('à'), 'the stored body keeps Meta\'s \\u escapes');
    const recorded: Fixture = {
      ...fixture,
      signature: 'recorded',
      request: { ...fixture.request, headers: { ...fixture.request.headers, 'X-Hub-Signature-256': `sha256=${hmacHex('sha256', APP_SECRET, raw)}` } },
    };
    const result = await runFixture(whatsapp, recorded, opts);
    assertVerified(result);
    assert.deepEqual(result.events, fixture.expect);
    // The same JSON re-serialized (unescaped) is different bytes: the recorded signature no longer fits.
    const reserialized = await runFixture(whatsapp, recorded, { ...opts, mutate: (req) => ({ ...req, body: Buffer.from(JSON.stringify(JSON.parse(raw))) }) });
    assertRejected(reserialized, 'bad_signature');
  });

  it('refuses a tampered body, another app secret, a missing or malformed header, and ingests nothing', async () => {
    const fixture = loadFixture(`${fixturesDir}/inbound-text.json`);
    const ingest = () => assert.fail('a refused request must not be ingested');
    const tampered = await runFixture(whatsapp, fixture, { ...opts, ingest, mutate: (req) => ({ ...req, body: Buffer.from(req.body.toString().replace('leaking', 'fine!!!')) }) });
    assertRejected(tampered, 'bad_signature');
    const otherApp = await runFixture(whatsapp, fixture, { config, secrets: { ...secrets, appSecret: 'another-apps-secret' }, url, ingest, mutate: (req) => ({ ...req, headers: { ...req.headers, 'x-hub-signature-256': `sha256=${hmacHex('sha256', 'x', req.body)}` } }) });
    assertRejected(otherApp, 'bad_signature');
    assertRejected(await runFixture(whatsapp, { ...fixture, signature: 'recorded' }, { ...opts, ingest }), 'missing_signature');
    const sha1 = await runFixture(whatsapp, fixture, { ...opts, ingest, mutate: (req) => ({ ...req, headers: { ...req.headers, 'x-hub-signature-256': 'sha1=abc' } }) });
    assertRejected(sha1, 'malformed');
  });

  it('refuses a verified payload that is not a WhatsApp Business Account notification (400, archived for replay)', async () => {
    const fixture: Fixture = { name: 'page webhook', request: { body: '{"object":"page","entry":[{"id":"1","time":1,"messaging":[]}]}' } };
    await assert.rejects(runFixture(whatsapp, fixture, opts), (err: unknown) => MappingError.is(err) && /no inbound rule matches/.test(err.problems[0]!));
  });

  it('maps a status WhatsApp adds later as a mapping error rather than a guess', async () => {
    const fixture = loadFixture(`${fixturesDir}/status-read.json`);
    const body = (fixture.request.body as string).replace('"status":"read"', '"status":"played"');
    await assert.rejects(runFixture(whatsapp, { ...fixture, request: { ...fixture.request, body } }, opts), (err: unknown) =>
      MappingError.is(err) && err.problems.some((p) => p.includes('provider status "played" is not in statusMap')),
    );
  });
});

describe('whatsapp verification handshake (GET)', () => {
  const get = (query: string, method = 'GET'): RawRequest => ({ method, url: `${url}?${query}`, headers: {}, body: Buffer.alloc(0) });

  it('echoes hub.challenge as text/plain when the verify token matches', async () => {
    const answer = await whatsapp.handshake!(get('hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=tok_9f8e7d6c5b4a'), ctx);
    assert.deepEqual(answer, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '1158201444' });
  });

  it('answers 403 to a wrong or missing token, another mode, a POST, and a challenge that is not a token', async () => {
    for (const [query, method] of [
      ['hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=tok_9f8e7d6c5b4b', 'GET'],
      ['hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=tok_9f8e7d6c5b4a0', 'GET'],
      ['hub.mode=subscribe&hub.challenge=1158201444', 'GET'],
      ['hub.mode=unsubscribe&hub.challenge=1158201444&hub.verify_token=tok_9f8e7d6c5b4a', 'GET'],
      ['hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=tok_9f8e7d6c5b4a', 'POST'],
      ['hub.mode=subscribe&hub.challenge=%3Cscript%3E&hub.verify_token=tok_9f8e7d6c5b4a', 'GET'],
    ] as const) {
      const answer = await whatsapp.handshake!(get(query, method), ctx);
      assert.equal(answer.status, 403, `${method} ${query}`);
      assert.ok(!answer.body?.includes('1158201444') && !answer.body?.includes('script'), 'nothing of the request is echoed');
    }
  });
});

describe('whatsapp sandbox status callbacks', () => {
  it('simulates a statuses notification that verifies once signed and maps back to the same status', async () => {
    for (const [status, provider, errorCode] of [['sent', 'sent'], ['delivered', 'delivered'], ['read', 'read'], ['undelivered', 'failed', '131026']] as const) {
      const sim = await whatsapp.simulateStatus!({ providerMessageId: 'wamid.SANDBOX1', status }, ctx);
      const req: RawRequest = { method: 'POST', url, headers: sim.headers, body: Buffer.from(sim.body) };
      const signed = { ...req, headers: { ...req.headers, ...(await whatsapp.sign!(req, ctx)) } };
      assert.deepEqual(await whatsapp.verify!(signed, ctx), { ok: true });
      const events = await mapInbound(whatsapp.manifest, signed, { config: config as unknown as Record<string, unknown> });
      assert.deepEqual(events, [
        {
          kind: 'status',
          providerMessageId: 'wamid.SANDBOX1',
          providerStatus: provider,
          status: provider === 'failed' ? 'failed' : status,
          ...(errorCode ? { errorCode, reason: 'unreachable', retryable: false } : {}),
        },
      ]);
    }
    assert.throws(() => whatsapp.simulateStatus!({ providerMessageId: 'wamid.X', status: 'received' }, ctx), /no "received" status/);
  });
});

describe('whatsapp outbound mapping', () => {
  const base: OutboundMessage = { messageId: '0193a1b2-0000-7000-8000-000000000001', channel: 'whatsapp', to: { kind: 'whatsapp', value: '+14155550123' } };
  const map = (msg: Partial<OutboundMessage>, cfg: Partial<WhatsAppConfig> = {}) =>
    mapOutbound(whatsapp.manifest, { ...base, ...msg }, { config: { ...config, ...cfg } as unknown as Record<string, unknown> });
  const envelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '14155550123' };

  it('text: the number without "+", link previews only when the body has a link', async () => {
    assert.deepEqual(await map({ body: 'Tech en route' }), { ...envelope, type: 'text', text: { preview_url: false, body: 'Tech en route' } });
    assert.deepEqual(await map({ body: 'Track: https://t.example.com/x', to: { kind: 'phone', value: 'whatsapp:+14155550123' } }), {
      ...envelope,
      type: 'text',
      text: { preview_url: true, body: 'Track: https://t.example.com/x' },
    });
  });

  it('template: positional variables in numeric order, the connection language by default, or name:language', async () => {
    assert.deepEqual(await map({ body: 'ignored', template: { id: 'visit_reminder', variables: { '2': '3pm', '1': 'Tuesday', '10': 'unit 4B' } } }), {
      ...envelope,
      type: 'template',
      template: {
        name: 'visit_reminder',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Tuesday' }, { type: 'text', text: '3pm' }, { type: 'text', text: 'unit 4B' }] }],
      },
    });
    assert.deepEqual(await map({ template: { id: 'rent_receipt:pt_BR', variables: { '1': 'R$ 1.200' } } }, { templateLanguage: 'es' }), {
      ...envelope,
      type: 'template',
      template: { name: 'rent_receipt', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'R$ 1.200' }] }] },
    });
    assert.deepEqual(await map({ template: { id: 'hello_world' } }, { templateLanguage: 'es' }), {
      ...envelope,
      type: 'template',
      template: { name: 'hello_world', language: { code: 'es' } },
    });
  });

  it('template: named variables become named parameters', async () => {
    const out = await map({ template: { id: 'visit_reminder', variables: { first_name: 'Alice', day: 'Tuesday' } } });
    assert.deepEqual((out.template as { components: unknown }).components, [
      { type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Alice' }, { type: 'text', parameter_name: 'day', text: 'Tuesday' }] },
    ]);
  });

  it('media by link: kind from the content type (else the extension), the body as caption, documents named', async () => {
    assert.deepEqual(await map({ body: 'Before', media: [{ url: 'https://cdn.example.com/p/1', contentType: 'image/png' }] }), {
      ...envelope,
      type: 'image',
      image: { link: 'https://cdn.example.com/p/1', caption: 'Before' },
    });
    assert.deepEqual(await map({ media: [{ url: 'https://cdn.example.com/clip.MP4?sig=1' }] }), { ...envelope, type: 'video', video: { link: 'https://cdn.example.com/clip.MP4?sig=1' } });
    assert.deepEqual(await map({ media: [{ url: 'https://cdn.example.com/note.ogg', contentType: 'audio/ogg' }] }), { ...envelope, type: 'audio', audio: { link: 'https://cdn.example.com/note.ogg' } });
    assert.deepEqual(await map({ body: 'Invoice', media: [{ url: 'https://cdn.example.com/docs/Invoice-42.pdf', contentType: 'application/pdf' }] }), {
      ...envelope,
      type: 'document',
      document: { link: 'https://cdn.example.com/docs/Invoice-42.pdf', caption: 'Invoice', filename: 'Invoice-42.pdf' },
    });
  });

  it('refuses, permanently, what WhatsApp cannot carry', async () => {
    const cases: [Partial<OutboundMessage>, RegExp][] = [
      [{ body: 'two', media: [{ url: 'https://a.example/1.jpg' }, { url: 'https://a.example/2.jpg' }] }, /one media item per message/],
      [{ body: 'listen', media: [{ url: 'https://a.example/n.mp3' }] }, /audio messages carry no caption/],
      [{ body: '' }, /needs a body, one media item or a template/],
    ];
    for (const [msg, re] of cases) {
      await assert.rejects(map(msg), (err: unknown) => ConnectorError.is(err) && err.code === 'invalid_request' && !err.retryable && re.test(err.message));
    }
  });

  it('builds the request a fixture-signed delivery would map from (harness request helper sanity)', () => {
    const req = buildRequest(loadFixture(`${fixturesDir}/inbound-text.json`), url);
    assert.equal(req.headers['content-type'], 'application/json');
    assert.ok(req.body.toString().startsWith('{"object":"whatsapp_business_account"'));
  });
});
