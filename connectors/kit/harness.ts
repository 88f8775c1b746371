import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectorDefinition } from './define.ts';
import { mapInbound } from './mapping.ts';
import type { ConnectorContext, NormalizedEvent, RawRequest, VerifyFailure, VerifyResult } from './types.ts';

/**
 * The harness connector authors (ours and third parties) test with: a fixture is a provider's
 * documented request, stored byte for byte; it is signed with test secrets (or carries the
 * signature the provider recorded), verified, mapped, and optionally handed to the engine's ingest.
 */
export interface Fixture {
  name: string;
  description?: string;
  /** Where the payload's format is documented. */
  source?: string;
  request: {
    method?: string;
    /** Absolute URL the provider called; runFixture's `url` option wins. */
    url?: string;
    headers?: Record<string, string>;
    /** The exact body: a string is used byte for byte, anything else is sent as JSON. */
    body: unknown;
  };
  /** "recorded": the fixture's headers already hold a real signature; default "sign" with def.sign(). */
  signature?: 'sign' | 'recorded';
  /** The normalized events the fixture must produce. */
  expect?: NormalizedEvent[];
}

export interface RunFixtureOptions<C, S> {
  config: C;
  secrets: S;
  url?: string;
  now?: () => number;
  /** Changes the signed request before verification (tampering tests). */
  mutate?: (req: RawRequest) => RawRequest;
  /** The engine's ingest step, called with the events of a verified request. */
  ingest?: (events: NormalizedEvent[], req: RawRequest) => unknown;
}

export interface FixtureResult {
  request: RawRequest;
  verification: VerifyResult;
  events: NormalizedEvent[];
  ingested?: unknown;
}

export const DEFAULT_FIXTURE_URL = 'https://switchboard.test/v1/receive/fixture';

export function buildRequest(fixture: Fixture, url?: string): RawRequest {
  const headers: Record<string, string> = { ...(fixture.request.headers ?? {}) };
  const isText = typeof fixture.request.body === 'string';
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  if (!isText && !hasType) headers['content-type'] = 'application/json';
  return {
    method: (fixture.request.method ?? 'POST').toUpperCase(),
    url: url ?? fixture.request.url ?? DEFAULT_FIXTURE_URL,
    headers,
    body: Buffer.from(isText ? (fixture.request.body as string) : JSON.stringify(fixture.request.body), 'utf8'),
  };
}

export async function runFixture<C, S>(def: ConnectorDefinition<C, S>, fixture: Fixture, opts: RunFixtureOptions<C, S>): Promise<FixtureResult> {
  if (typeof def.verify !== 'function') throw new Error(`${def.id} has no verify(): it does not receive webhooks`);
  const ctx: ConnectorContext<C, S> = { config: opts.config, secrets: opts.secrets, ...(opts.now ? { now: opts.now } : {}) };
  let request = buildRequest(fixture, opts.url);
  if (fixture.signature !== 'recorded') {
    if (typeof def.sign !== 'function') throw new Error(`${def.id} has no sign(): give the fixture a recorded signature`);
    request = { ...request, headers: { ...request.headers, ...(await def.sign(request, ctx)) } };
  }
  if (opts.mutate) request = opts.mutate(request);
  const verification = await def.verify(request, ctx);
  if (!verification.ok) return { request, verification, events: [] };
  const events = await mapInbound(def.manifest, request, { config: opts.config as Record<string, unknown> });
  const result: FixtureResult = { request, verification, events };
  if (opts.ingest) result.ingested = await opts.ingest(events, request);
  return result;
}

export function loadFixture(path: string): Fixture {
  return JSON.parse(readFileSync(path, 'utf8')) as Fixture;
}

/** Every *.json fixture of a directory, in file-name order. */
export function loadFixtures(dir: string): Fixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadFixture(join(dir, f)));
}

export function assertVerified(result: FixtureResult): void {
  assert.deepEqual(result.verification, { ok: true }, 'the signature should verify');
}

export function assertRejected(result: FixtureResult, reason?: VerifyFailure): void {
  assert.equal(result.verification.ok, false, 'the signature should be refused');
  if (reason) assert.equal((result.verification as { reason: VerifyFailure }).reason, reason);
  assert.deepEqual(result.events, [], 'a refused request maps to nothing');
}

export function assertEvents(actual: NormalizedEvent[], expected: NormalizedEvent[]): void {
  assert.deepEqual(actual, expected);
}

/** Runs a fixture and asserts it verifies and yields exactly its `expect` events. */
export async function assertFixture<C, S>(def: ConnectorDefinition<C, S>, fixture: Fixture, opts: RunFixtureOptions<C, S>): Promise<FixtureResult> {
  if (!fixture.expect) throw new Error(`fixture "${fixture.name}" has no "expect" events`);
  const result = await runFixture(def, fixture, opts);
  assertVerified(result);
  assertEvents(result.events, fixture.expect);
  return result;
}
