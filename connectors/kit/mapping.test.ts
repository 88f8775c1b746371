import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { ConnectorError, MappingError } from './errors.ts';
import { compileExpression } from './expressions.ts';
import type { Manifest } from './manifest.ts';
import { canonicalStatus, lookupError, mapInbound, mapOutbound, migrateConfig } from './mapping.ts';
import { parseRequest } from './request.ts';
import { acmeSpec } from './test-connector.ts';
import type { RawRequest } from './types.ts';

const manifest = acmeSpec().manifest;

function jsonRequest(body: unknown): RawRequest {
  return { method: 'POST', url: 'https://h/hook?src=acme', headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(body)) };
}

async function mappingProblems(m: Manifest, req: RawRequest): Promise<string[]> {
  try {
    await mapInbound(m, req);
  } catch (err) {
    assert.ok(MappingError.is(err), String(err));
    return err.problems;
  }
  assert.fail('mapping should have failed');
}

describe('mapInbound', () => {
  it('maps a batched payload to one event per item, with $config bound and 1-item media made a list', async () => {
    const req = jsonRequest({
      type: 'batch',
      account: '+15550001111',
      messages: [
        { id: 'a1', from: '+15550002222', text: 'hello', media: [{ href: 'https://m/1', mime: 'image/png' }] },
        { id: 'a2', from: '+15550003333' },
      ],
      statuses: [
        { id: 'o1', state: 'DELIVERED' },
        { id: 'o2', state: 'FAILED', error: 'E100' },
        { id: 'o3', state: 'FAILED', error: 'E777' },
        { id: 'o4', state: 'FAILED', error: 'E900' },
      ],
    });
    const events = await mapInbound(manifest, req, { config: { region: 'eu' } });
    assert.deepEqual(events, [
      {
        kind: 'message', channel: 'sms', from: { kind: 'phone', value: '+15550002222' }, to: { address: '+15550001111' },
        providerMessageId: 'a1', body: 'hello', media: [{ url: 'https://m/1', contentType: 'image/png' }], metadata: { region: 'eu' },
      },
      {
        kind: 'message', channel: 'sms', from: { kind: 'phone', value: '+15550003333' }, to: { address: '+15550001111' },
        providerMessageId: 'a2', body: '', media: [], metadata: { region: 'eu' },
      },
      { kind: 'status', providerMessageId: 'o1', status: 'delivered', providerStatus: 'DELIVERED' },
      { kind: 'status', providerMessageId: 'o2', status: 'failed', providerStatus: 'FAILED', errorCode: 'E100', reason: 'recipient_opted_out', retryable: false },
      { kind: 'status', providerMessageId: 'o3', status: 'failed', providerStatus: 'FAILED', errorCode: 'E777', reason: 'unknown', retryable: false },
      { kind: 'status', providerMessageId: 'o4', status: 'failed', providerStatus: 'FAILED', errorCode: 'E900', reason: 'filtered', retryable: true },
    ]);
  });

  it('lets a rule acknowledge a payload on purpose with emit "ignore"', async () => {
    assert.deepEqual(await mapInbound(manifest, jsonRequest({ type: 'ping' })), []);
  });

  it('refuses a payload no rule matches, naming its content type', async () => {
    assert.deepEqual(await mappingProblems(manifest, jsonRequest({ type: 'unknown' })), [
      'no inbound rule matches this request (content type "application/json")',
    ]);
  });

  it('refuses the whole request when any event is invalid, listing every problem', async () => {
    const req = jsonRequest({
      type: 'batch', account: '+1555',
      messages: [{ id: 'ok', from: '+1' }, { from: '+2' }],
      statuses: [{ id: 's', state: 'LOST' }],
    });
    assert.deepEqual(await mappingProblems(manifest, req), [
      "inbound/0 (messages) item 1 produced an invalid message event at /: must have required property 'providerMessageId'",
      'inbound/1 (statuses) item 0: provider status "LOST" is not in statusMap',
    ]);
  });

  it('reports a JSONata evaluation error as a mapping problem with its path', async () => {
    const m: Manifest = structuredClone(manifest) as Manifest;
    m.inbound![2]!.match = "body.type = 'ping' and $notAFunction()";
    const problems = await mappingProblems(m, jsonRequest({ type: 'ping' }));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^inbound\/2 \(ping\)\/match: Attempted to invoke a non-function/);
  });

  it('keeps payload values out of evaluation errors (they reach logs)', async () => {
    const m = structuredClone(manifest) as Manifest;
    m.inbound![0]!.fields!.body = '$string($number(m.text))';
    const req = jsonRequest({ type: 'batch', account: '+1555', messages: [{ id: 'a', from: '+1', text: 'call me on +14155550123' }] });
    const problems = await mappingProblems(m, req);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^inbound\/0 \(messages\) item 0\/fields\/body: Unable to cast value to a number: <value>/);
    assert.ok(!problems[0]!.includes('4155550123'));
  });

  it('stops an expression that recurses without end instead of hanging the ingress', async () => {
    const m = structuredClone(manifest) as Manifest;
    m.inbound![2]!.match = "( $f := function($n) { $f($n + 1) }; $f(0) )";
    const started = Date.now();
    const problems = await mappingProblems(m, jsonRequest({ type: 'ping' }));
    assert.match(problems[0]!, /Stack overflow|timeout/i);
    assert.ok(Date.now() - started < 5000);
  });

  it('refuses a body that does not parse as its declared JSON', async () => {
    const req = { ...jsonRequest({}), body: Buffer.from('{"type": ') };
    const problems = await mappingProblems(manifest, req);
    assert.match(problems[0]!, /^body: invalid JSON/);
  });

  it('accepts an already parsed request (the engine may parse once for archive + mapping)', async () => {
    const parsed = parseRequest(jsonRequest({ type: 'ping' }));
    assert.deepEqual(parsed.query, { src: 'acme' });
    assert.equal(parsed.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(await mapInbound(manifest, parsed), []);
  });

  it('compiles each expression once', () => {
    assert.equal(compileExpression('body.x + 1'), compileExpression('body.x + 1'));
  });
});

describe('status and error tables', () => {
  it('look up canonical status and reason, with retryable defaulting from the reason', () => {
    assert.equal(canonicalStatus(manifest, 'ACCEPTED'), 'queued');
    assert.equal(canonicalStatus(manifest, 'toString'), undefined);
    assert.deepEqual(lookupError(manifest, 'E500'), { reason: 'vendor_unavailable', retryable: true });
    assert.deepEqual(lookupError(manifest, 'E100'), { reason: 'recipient_opted_out', retryable: false });
    assert.equal(lookupError(manifest, 'constructor'), undefined);
    assert.equal(lookupError(manifest, undefined), undefined);
  });
});

describe('mapOutbound', () => {
  const msg = { messageId: 'm1', channel: 'sms', to: { kind: 'phone', value: '+15550002222' }, body: 'hi' };

  it('maps a normalized message to provider parameters, with $config bound', async () => {
    assert.deepEqual(await mapOutbound(manifest, msg, { config: { region: 'us' } }), { destination: '+15550002222', text: 'hi', region: 'us' });
    const withMedia = { ...msg, media: [{ url: 'https://m/1' }] };
    assert.deepEqual(await mapOutbound(manifest, withMedia), { destination: '+15550002222', text: 'hi', images: ['https://m/1'] });
  });

  it('fails permanently (invalid_request, not retryable) when the mapping cannot produce parameters', async () => {
    const m = structuredClone(manifest) as Manifest;
    m.outbound = { message: 'to.value' };
    await assert.rejects(mapOutbound(m, msg), (err: unknown) => ConnectorError.is(err) && err.code === 'invalid_request' && !err.retryable);
    m.outbound = { message: '$error("no sender")' };
    await assert.rejects(mapOutbound(m, msg), /outbound mapping failed: no sender/);
  });
});

describe('migrateConfig', () => {
  const m: Manifest = {
    configMigrations: [
      { from: 1, to: 2, transform: "$merge([$sift($, function($v, $k) { $k != 'sid' }), { 'accountSid': sid }])" },
      { from: 2, to: 3, transform: "$merge([$, { 'region': 'us' }])" },
    ],
  };

  it('chains migrations from one major to another', async () => {
    assert.deepEqual(await migrateConfig(m, { sid: 'AC1', keep: true }, 1, 3), { keep: true, accountSid: 'AC1', region: 'us' });
    assert.deepEqual(await migrateConfig(m, { a: 1 }, 3, 3), { a: 1 });
  });

  it('refuses when a step is missing', async () => {
    await assert.rejects(migrateConfig(m, {}, 0, 2), /no config migration from major 0 towards 2/);
  });
});
