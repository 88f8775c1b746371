import { describeAjvErrors, kitAjv } from './ajv.ts';
import { ConnectorError, isRetryableCode, MappingError } from './errors.ts';
import { normalizedEventSchema } from './events.schema.ts';
import { describeJsonataError, evaluateExpression, toPlain } from './expressions.ts';
import type { ErrorMapEntry, FieldMapping, InboundRule, Manifest } from './manifest.ts';
import { parseRequest } from './request.ts';
import type { CanonicalStatus, FailureReason, NormalizedEvent, OutboundMessage, ParsedRequest, RawRequest } from './types.ts';

const validateEvent = kitAjv.compile(normalizedEventSchema);

export interface MapOptions {
  /** The connection's config, bound as $config in every expression. */
  config?: Record<string, unknown>;
}

/** JSONata's own truthiness ($boolean), so a match predicate means what it means in the JSONata docs. */
function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(truthy);
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  if (typeof v === 'function') return false;
  return Boolean(v);
}

function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? [...v] : [v];
}

async function evaluateMapping(mapping: FieldMapping, input: unknown, bindings: Record<string, unknown>, path: string): Promise<unknown> {
  if (typeof mapping === 'string') {
    try {
      return await evaluateExpression(mapping, input, bindings);
    } catch (err) {
      throw new MappingError([`${path}: ${describeJsonataError(err, true)}`]);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(mapping)) {
    const v = await evaluateMapping(sub, input, bindings, `${path}/${key}`);
    if (v !== undefined) out[key] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** The statusMap lookup; undefined when the provider status is not mapped. */
export function canonicalStatus(manifest: Manifest, providerStatus: string): CanonicalStatus | undefined {
  return Object.hasOwn(manifest.statusMap ?? {}, providerStatus) ? manifest.statusMap![providerStatus] : undefined;
}

/** The errorMap lookup, with `retryable` resolved from the reason when the entry does not say. */
export function lookupError(
  manifest: Manifest,
  providerCode: string | number | undefined | null,
): (ErrorMapEntry & { retryable: boolean }) | undefined {
  if (providerCode === undefined || providerCode === null) return undefined;
  const key = String(providerCode);
  if (!Object.hasOwn(manifest.errorMap ?? {}, key)) return undefined;
  const entry = manifest.errorMap![key]!;
  return { ...entry, retryable: entry.retryable ?? isRetryableCode(entry.reason) };
}

/** Kind-specific finishing: defaults, array coercion (JSONata collapses 1-item sequences), status and error tables. */
function finish(kind: string, fields: Record<string, unknown>, manifest: Manifest, path: string): { event: Record<string, unknown>; problems: string[] } {
  const event: Record<string, unknown> = { kind, ...fields };
  const problems: string[] = [];
  if (kind === 'message') {
    event.body ??= '';
    event.media = asArray(event.media);
  }
  if (kind === 'status' && typeof event.providerStatus === 'string') {
    const status = canonicalStatus(manifest, event.providerStatus);
    if (status) event.status = status;
    else problems.push(`${path}: provider status "${event.providerStatus}" is not in statusMap`);
    if (typeof event.errorCode === 'number') event.errorCode = String(event.errorCode);
    if (event.errorCode === '') delete event.errorCode;
    if (typeof event.errorCode === 'string') {
      const known = lookupError(manifest, event.errorCode);
      const reason: FailureReason = known?.reason ?? 'unknown';
      event.reason = reason;
      event.retryable = known?.retryable ?? isRetryableCode(reason);
    }
  }
  if (!problems.length && !validateEvent(event)) problems.push(...describeAjvErrors(validateEvent.errors, `${path} produced an invalid ${kind} event at `));
  return { event, problems };
}

async function applyRule(rule: InboundRule, index: number, request: ParsedRequest, manifest: Manifest, config: Record<string, unknown>) {
  const path = `inbound/${index} (${rule.name})`;
  const bindings = { request, config };
  const items = rule.each === undefined ? [request] : asArray(await evaluateMapping(rule.each, request, bindings, `${path}/each`));
  const events: NormalizedEvent[] = [];
  const problems: string[] = [];
  for (const [i, item] of items.entries()) {
    const at = rule.each === undefined ? path : `${path} item ${i}`;
    const fields = toPlain(await evaluateMapping(rule.fields ?? {}, item, bindings, `${at}/fields`)) ?? {};
    const done = finish(rule.emit, fields as Record<string, unknown>, manifest, at);
    if (done.problems.length) problems.push(...done.problems);
    else events.push(done.event as unknown as NormalizedEvent);
  }
  return { events, problems };
}

const isRaw = (r: RawRequest | ParsedRequest): r is RawRequest => Buffer.isBuffer(r.body) && typeof (r as RawRequest).url === 'string';

/**
 * Runs the manifest's inbound rules over a request. Every matching rule emits (a WhatsApp message
 * can yield both a message and a contact update); a rule with emit "ignore" acknowledges a payload
 * on purpose. A request no rule matches, or any event that does not fit the normalized schema,
 * throws a MappingError listing every problem: a request is mapped whole or not at all.
 */
export async function mapInbound(manifest: Manifest, request: RawRequest | ParsedRequest, opts: MapOptions = {}): Promise<NormalizedEvent[]> {
  const parsed = isRaw(request) ? parseRequest(request) : request;
  const config = opts.config ?? {};
  const events: NormalizedEvent[] = [];
  const problems: string[] = [];
  let matched = false;
  for (const [index, rule] of (manifest.inbound ?? []).entries()) {
    const hit = await evaluateMapping(rule.match, parsed, { request: parsed, config }, `inbound/${index} (${rule.name})/match`);
    if (!truthy(hit)) continue;
    matched = true;
    if (rule.emit === 'ignore') continue;
    const out = await applyRule(rule, index, parsed, manifest, config);
    events.push(...out.events);
    problems.push(...out.problems);
  }
  if (!matched) problems.push(`no inbound rule matches this request (content type "${parsed.contentType || 'none'}")`);
  if (problems.length) throw new MappingError(problems);
  return events;
}

/**
 * Normalized outbound message → the provider's request parameters. A message the mapping cannot
 * handle is a permanent failure (invalid_request, not retried): sending it again would fail again.
 */
export async function mapOutbound(manifest: Manifest, message: OutboundMessage, opts: MapOptions = {}): Promise<Record<string, unknown>> {
  if (!manifest.outbound) throw new ConnectorError('invalid_request', 'This connector has no outbound mapping');
  let out: unknown;
  try {
    out = toPlain(await evaluateExpression(manifest.outbound.message, message, { config: opts.config ?? {} }));
  } catch (err) {
    // No `cause`: JSONata errors can carry the offending value, i.e. message content.
    throw new ConnectorError('invalid_request', `outbound mapping failed: ${describeJsonataError(err, true)}`);
  }
  if (!out || typeof out !== 'object' || Array.isArray(out)) {
    throw new ConnectorError('invalid_request', 'outbound mapping did not produce an object of request parameters');
  }
  return out as Record<string, unknown>;
}

/**
 * Upgrades a connection's config from one major version to another by chaining the manifest's
 * configMigrations (each a JSONata transform over the config). Throws when a step is missing.
 */
export async function migrateConfig(
  manifest: Manifest,
  config: Record<string, unknown>,
  fromMajor: number,
  toMajor: number,
): Promise<Record<string, unknown>> {
  let current = fromMajor;
  let value: Record<string, unknown> = config;
  while (current < toMajor) {
    const step = (manifest.configMigrations ?? []).find((m) => m.from === current);
    if (!step || step.to > toMajor) throw new Error(`no config migration from major ${current} towards ${toMajor}`);
    let next: unknown;
    try {
      next = toPlain(await evaluateExpression(step.transform, value, {}));
    } catch (err) {
      throw new Error(`config migration ${step.from}→${step.to} failed: ${describeJsonataError(err, true)}`);
    }
    if (!next || typeof next !== 'object' || Array.isArray(next)) {
      throw new Error(`config migration ${step.from}→${step.to} did not produce an object`);
    }
    value = next as Record<string, unknown>;
    current = step.to;
  }
  return value;
}
