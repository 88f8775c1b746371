/**
 * The files of a new connector package (`switchboard connector new NAME`): a channel connector for
 * a provider with a JSON REST API and JSON webhooks signed with Standard Webhooks — the most common
 * shape, and every part of it is meant to be edited. Its test passes as generated.
 */
export interface TemplateVars {
  id: string;
  displayName: string;
  kitSpec: string;
}

export function scaffoldFiles(v: TemplateVars): Record<string, string> {
  return {
    'package.json': json({
      name: `switchboard-connector-${v.id}`,
      version: '0.1.0',
      description: `Switchboard connector for ${v.displayName}.`,
      type: 'module',
      exports: { '.': './index.ts' },
      files: ['index.ts', 'manifest.json', 'fixtures', 'README.md', 'CHANGELOG.md'],
      keywords: ['switchboard-connector'],
      scripts: { test: 'node --test' },
      dependencies: { '@switchboard/connector-kit': v.kitSpec },
      devDependencies: { tsx: '^4.20.0' },
    }),
    'manifest.json': json({
      $schema: './node_modules/@switchboard/connector-kit/manifest.schema.json',
      description: `${v.displayName}: JSON webhooks {type, data} signed with Standard Webhooks.`,
      inbound: [
        {
          name: 'message',
          match: "body.type = 'message'",
          emit: 'message',
          fields: {
            channel: "'sms'",
            from: { kind: "'phone'", value: 'body.data.from' },
            to: { address: 'body.data.to' },
            providerMessageId: 'body.data.id',
            body: 'body.data.text',
            media: "body.data.media.{ 'url': url, 'contentType': type }",
          },
        },
        {
          name: 'status',
          match: "body.type = 'status'",
          emit: 'status',
          fields: { providerMessageId: 'body.data.id', providerStatus: 'body.data.status', errorCode: 'body.data.error' },
        },
      ],
      statusMap: { queued: 'queued', sent: 'sent', delivered: 'delivered', failed: 'failed', undelivered: 'undelivered' },
      errorMap: { OPTED_OUT: { reason: 'recipient_opted_out', description: 'The recipient opted out' } },
      outbound: { message: "{ 'to': to.value, 'from': from.address, 'text': body, 'media': media ? [media.url], 'statusCallback': statusCallbackUrl }" },
    }),
    'index.ts': indexTs(v),
    'fixtures/inbound-message.json': json({
      name: 'inbound message',
      source: `Where ${v.displayName} documents this payload (URL)`,
      request: {
        headers: { 'content-type': 'application/json', 'webhook-id': 'msg_fixture_1' },
        body: JSON.stringify({ type: 'message', data: { id: 'm_1', from: '+14155550123', to: '+14155550199', text: 'Hello' } }),
      },
      expect: [
        { kind: 'message', channel: 'sms', from: { kind: 'phone', value: '+14155550123' }, to: { address: '+14155550199' }, providerMessageId: 'm_1', body: 'Hello', media: [] },
      ],
    }),
    'fixtures/status-delivered.json': json({
      name: 'status: delivered',
      request: { headers: { 'content-type': 'application/json', 'webhook-id': 'msg_fixture_2' }, body: JSON.stringify({ type: 'status', data: { id: 'm_9', status: 'delivered' } }) },
      expect: [{ kind: 'status', providerMessageId: 'm_9', status: 'delivered', providerStatus: 'delivered' }],
    }),
    'connector.test.mjs': testMjs(),
    'README.md': readme(v),
    'CHANGELOG.md': `# Changelog: switchboard-connector-${v.id}\n\n## 0.1.0\n\n- First version, scaffolded with \`switchboard connector new ${v.id}\`.\n`,
    '.gitignore': 'node_modules/\n',
  };
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

function indexTs(v: TemplateVars): string {
  return `import {
  classifyHttpError,
  ConnectorError,
  defineConnector,
  headerOf,
  lookupError,
  mapOutbound,
  signStandardWebhook,
  verifyStandardWebhook,
  type ConnectorContext,
  type Manifest,
  type RawRequest,
} from '@switchboard/connector-kit';
import manifestJson from './manifest.json' with { type: 'json' };

/** ${v.displayName} for Switchboard. Code only where the manifest cannot say it: signatures and the API call. */
export interface Config {
  baseUrl: string;
}

export interface Secrets {
  apiKey: string;
  webhookSecret: string;
}

type Ctx = ConnectorContext<Config, Secrets>;

const manifest = manifestJson as unknown as Manifest;

export default defineConnector<Config, Secrets>({
  id: '${v.id}',
  version: '0.1.0',
  kind: 'channel',
  displayName: '${v.displayName}',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['baseUrl'],
    properties: { baseUrl: { type: 'string', format: 'uri', title: 'API base URL' } },
  },
  secretsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['apiKey', 'webhookSecret'],
    properties: { apiKey: { type: 'string', minLength: 1 }, webhookSecret: { type: 'string', pattern: '^whsec_' } },
  },
  capabilities: ['messaging.send', 'messaging.receive', 'messaging.status'],
  channels: ['sms'],
  manifest,

  verify(req: RawRequest, ctx: Ctx) {
    return verifyStandardWebhook({
      secret: ctx.secrets.webhookSecret,
      id: headerOf(req.headers, 'webhook-id'),
      timestamp: headerOf(req.headers, 'webhook-timestamp'),
      signature: headerOf(req.headers, 'webhook-signature'),
      body: req.body,
      now: ctx.now?.() ?? Date.now(),
    });
  },

  sign(req: RawRequest, ctx: Ctx) {
    const id = headerOf(req.headers, 'webhook-id') ?? \`msg_\${Date.now().toString(36)}\`;
    const ts = Math.floor((ctx.now?.() ?? Date.now()) / 1000);
    return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(ctx.secrets.webhookSecret, id, ts, req.body) };
  },

  async send(msg, ctx) {
    const params = await mapOutbound(manifest, msg, { config: ctx.config as unknown as Record<string, unknown> });
    let res: Response;
    try {
      res = await fetch(\`\${ctx.config.baseUrl.replace(/\\/$/, '')}/messages\`, {
        method: 'POST',
        headers: { authorization: \`Bearer \${ctx.secrets.apiKey}\`, 'content-type': 'application/json' },
        body: JSON.stringify(params),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
    } catch (err) {
      // Never put payload values, numbers or secrets in messages: they end up in logs.
      throw new ConnectorError('vendor_unavailable', \`${v.displayName} unreachable (\${(err as Error).name})\`);
    }
    const body = (await res.json().catch(() => ({}))) as { id?: string; status?: string; error?: string };
    if (!res.ok) {
      const known = lookupError(manifest, body.error);
      const message = \`${v.displayName} error \${body.error ?? res.status}\`;
      if (!known) throw classifyHttpError(res.status, res.headers, { message, ...(body.error ? { providerCode: body.error } : {}) });
      throw new ConnectorError(known.reason, message, { retryable: known.retryable, providerCode: body.error!, httpStatus: res.status });
    }
    if (!body.id) throw new ConnectorError('unknown', '${v.displayName} answered without a message id');
    return { providerMessageId: body.id, ...(body.status ? { providerStatus: body.status } : {}) };
  },

  // Sandbox connections post this (signed with sign()) to their own receive URL.
  simulateStatus(s) {
    return {
      headers: { 'content-type': 'application/json', 'webhook-id': \`msg_\${s.providerMessageId}_\${s.status}\` },
      body: JSON.stringify({ type: 'status', data: { id: s.providerMessageId, status: s.status } }),
    };
  },
});
`;
}

function testMjs(): string {
  return `import assert from 'node:assert/strict';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { register } from 'tsx/esm/api';

// The connector and the kit are TypeScript: plain \`node --test\` runs them through tsx.
register();
const { default: connector } = await import('./index.ts');
const { assertFixture, assertRejected, loadFixtures, runFixture } = await import('@switchboard/connector-kit/harness');
const { ConnectorError, generateWebhookSecret } = await import('@switchboard/connector-kit');

const secrets = { apiKey: 'test-key', webhookSecret: generateWebhookSecret() };
const fixtures = loadFixtures(fileURLToPath(new URL('./fixtures/', import.meta.url)));

// A stand-in for the provider's API: answers what the provider documents.
const calls = [];
let answer = { status: 201, body: { id: 'm_42', status: 'queued' } };
const api = http.createServer((req, res) => {
  let data = '';
  req.on('data', (c) => (data += c));
  req.on('end', () => {
    calls.push({ auth: req.headers.authorization, body: JSON.parse(data) });
    res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) }).end(JSON.stringify(answer.body));
  });
});
let config;
before(async () => {
  await new Promise((r) => api.listen(0, '127.0.0.1', r));
  config = { baseUrl: \`http://127.0.0.1:\${api.address().port}\` };
});
after(() => new Promise((r) => api.close(r)));

test('every fixture: sign → verify → map to the expected events', async () => {
  assert.ok(fixtures.length > 0);
  for (const fixture of fixtures) await assertFixture(connector, fixture, { config, secrets });
});

test('a tampered body or a wrong secret is refused', async () => {
  const tampered = await runFixture(connector, fixtures[0], { config, secrets, mutate: (req) => ({ ...req, body: Buffer.concat([req.body, Buffer.from(' ')]) }) });
  assertRejected(tampered, 'bad_signature');
  const signedElsewhere = await runFixture(connector, fixtures[0], { config, secrets, mutate: (req) => ({ ...req, headers: { ...req.headers, 'webhook-signature': 'v1,AAAA' } }) });
  assertRejected(signedElsewhere);
});

test('send posts the mapped message and returns the provider id', async () => {
  const msg = { messageId: 'x1', channel: 'sms', to: { kind: 'phone', value: '+14155550123' }, from: { address: '+14155550199' }, body: 'Hi', statusCallbackUrl: 'https://sb.example.com/v1/receive/c1' };
  const result = await connector.send(msg, { config, secrets });
  assert.equal(result.providerMessageId, 'm_42');
  assert.deepEqual(calls.at(-1), { auth: 'Bearer test-key', body: { to: '+14155550123', from: '+14155550199', text: 'Hi', statusCallback: msg.statusCallbackUrl } });
});

test('errors: a mapped code is permanent, 429 is retryable with Retry-After', async () => {
  const msg = { messageId: 'x2', channel: 'sms', to: { kind: 'phone', value: '+14155550123' }, body: 'Hi' };
  answer = { status: 400, body: { error: 'OPTED_OUT' } };
  await assert.rejects(connector.send(msg, { config, secrets }), (err) => ConnectorError.is(err) && err.code === 'recipient_opted_out' && !err.retryable);
  answer = { status: 429, body: {}, headers: { 'retry-after': '2' } };
  await assert.rejects(connector.send(msg, { config, secrets }), (err) => ConnectorError.is(err) && err.retryable && err.retryAfterMs === 2000);
});
`;
}

function readme(v: TemplateVars): string {
  return `# switchboard-connector-${v.id}

A [Switchboard](https://switchboard.dev) connector for ${v.displayName}, written with
\`@switchboard/connector-kit\`. Scaffolded by \`switchboard connector new ${v.id}\`: edit the manifest,
the schemas and the two hooks to match the provider, and replace the fixtures with its documented
payloads.

## Files

- \`index.ts\`: the definition (schemas, capabilities, \`verify\` / \`sign\`, \`send\`, \`simulateStatus\`).
- \`manifest.json\`: JSONata mappings of webhooks to normalized events and of outbound messages to API requests.
- \`fixtures/\`: the provider's documented webhook payloads, with the events each must produce.
- \`connector.test.mjs\`: fixtures through sign → verify → map, tampering, and \`send\` against a stand-in API.

## Test, check, use

\`\`\`sh
node --test                                   # or npm test
npx switchboard connector validate .          # the checks Switchboard runs when it loads the package
SWITCHBOARD_CONNECTORS=switchboard-connector-${v.id} npx switchboard start
\`\`\`

## Config and secrets

| field | | |
|---|---|---|
| \`baseUrl\` | config | API base URL |
| \`apiKey\` | secret | Bearer API key |
| \`webhookSecret\` | secret | \`whsec_…\` Standard Webhooks secret |

## What it covers / does not

Document here what the connector maps (message kinds, statuses, error codes) and what it does not.
`;
}
