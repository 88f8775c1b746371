import { mapInbound, MappingError, type HttpAnswer, type RawRequest } from '../../connectors/kit/index.ts';
import type { Database } from '../db/database.ts';
import type { TenantTx } from '../db/tenant.ts';
import { inSavepoint } from '../identity/savepoint.ts';
import { noteOrgSettings } from '../org-settings.ts';
import type { Engine } from '../engine.ts';
import { AppError, notFound } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { findUnstorable } from '../storable-text.ts';
import { applyInboundEvents, type Applied } from './apply-events.ts';
import { archiveRequest, redactArchived, settleArchived } from './archive.ts';
import { loadRuntime, type ConnectionRuntime } from './runtime.ts';

const log = createLogger('ingress');

/**
 * The platform's /receive: a provider request for one connection, as raw bytes, handled in ONE
 * tenant transaction: the connection names the org (no API key on a webhook) → the connector
 * verifies the signature over the exact bytes (refused: 401, rolled back, nothing stored) → the
 * request is archived, sealed → mapped and applied in a savepoint that also marks the archive
 * processed → commit → only then the provider gets its 2xx. When mapping or applying fails, only
 * the savepoint is rolled back: the archived request is committed, marked failed, for a replay
 * after a fix (a payload that cannot be mapped is a 400). A crash before the commit stores nothing
 * and answers nothing, so the provider retries. One transaction instead of two saves a commit
 * (and its WAL flush) and a tenant set-up per request.
 */
export type IngressEngine = Pick<Engine, 'db' | 'tenant' | 'connectors'>;

// A connection's org never changes: remembered per database, so a webhook skips that lookup. A
// deleted connection is still refused (its row is read in the tenant transaction).
const orgOfConnection = new WeakMap<Database, Map<string, string>>();
const REMEMBERED_CONNECTIONS = 10_000;

export async function connectionOrg(db: Database, connectionId: string): Promise<string | null> {
  let known = orgOfConnection.get(db);
  if (!known) orgOfConnection.set(db, (known = new Map()));
  const hit = known.get(connectionId);
  if (hit) return hit;
  const res = await db.knex.raw('SELECT sb_connection_org(?::uuid) AS org_id', [connectionId]);
  const orgId = (res as { rows: { org_id: string | null }[] }).rows[0]?.org_id ?? null;
  if (orgId) {
    if (known.size >= REMEMBERED_CONNECTIONS) known.clear();
    known.set(connectionId, orgId);
  }
  return orgId;
}

type Received = { answer: HttpAnswer } | { rt: ConnectionRuntime; archiveId: string; failure: unknown };

const DEFAULT_ACK: HttpAnswer = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
const ackOf = (rt: ConnectionRuntime, events: Processed['events']) => (rt.def.ack ? rt.def.ack({ events }, rt.ctx) : DEFAULT_ACK);

export async function receiveWebhook(engine: IngressEngine, connectionId: string, req: RawRequest): Promise<HttpAnswer> {
  const orgId = await connectionOrg(engine.db, connectionId);
  if (!orgId) throw notFound('connection');
  const received = await engine.tenant<Received>(orgId, async (tx) => {
    const rt = await loadRuntime(tx, engine.connectors, connectionId);
    // A disabled connection is gone for its provider: the same 404 as an unknown id.
    if (rt.row.status === 'disabled') throw notFound('connection');
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (!rt.def.handshake) throw new AppError('not_found', `${rt.def.displayName} webhooks are POSTed; this URL answers no GET.`);
      return { answer: await rt.def.handshake(req, rt.ctx) };
    }
    if (!rt.def.verify) throw new AppError('not_found', `${rt.def.displayName} sends no webhooks.`);
    const verdict = await rt.def.verify(req, rt.ctx);
    if (!verdict.ok) {
      log.warn({ connectionId, connector: rt.def.id, reason: verdict.reason }, 'webhook refused');
      // Name the URL the signature was checked against: a provider that signed another address
      // (localhost vs 127.0.0.1, a proxy's public name) is the usual cause.
      throw new AppError('unauthorized', `The request's signature was not accepted (${verdict.reason}); it was checked against ${req.url}. If the provider calls another address, set PUBLIC_URL to it.`, {
        details: { reason: verdict.reason, url: req.url },
      });
    }
    // One read of the org row: whether it is suspended, and its settings for the rest of the transaction.
    const org = await tx.trx('orgs').select('suspended_at', 'settings').where({ id: tx.orgId }).first();
    noteOrgSettings(tx.trx, tx.orgId, org?.settings);
    // A suspended org's requests are stored durably and acknowledged, but processed only when it is resumed.
    if (org?.suspended_at) {
      await archiveRequest(tx, connectionId, req, 'held');
      return { answer: ackOf(rt, []) };
    }
    const archiveId = await archiveRequest(tx, connectionId, req, 'received');
    try {
      const processed = await inSavepoint(tx, (inner) => mapAndApply(inner, rt, archiveId, req));
      return { answer: ackOf(rt, processed.events) };
    } catch (err) {
      await settleArchived(tx, archiveId, { status: 'failed', error: describeFailure(err).join('\n') });
      return { rt, archiveId, failure: err };
    }
  });
  if ('answer' in received) return received.answer;
  throw failureAnswer(received.rt, received.archiveId, received.failure);
}

export interface Processed extends Applied {
  archiveId: string;
  events: Awaited<ReturnType<typeof mapInbound>>;
  status: 'processed' | 'unmatched';
}

/**
 * The failure as it is kept in the clear raw_inbound.error column and told to the provider: the
 * mapping problems (they name manifest paths and schema rules, not values), or an engine error's
 * code and field only, because its message may quote a value ("x" is not a valid phone number).
 */
function describeFailure(err: unknown): string[] {
  if (MappingError.is(err)) return err.problems;
  if (!(err instanceof AppError)) return ['internal error while ingesting'];
  const fields = Array.isArray(err.details) ? err.details.map((d) => d.field).filter(Boolean) : [];
  return [fields.length ? `${err.code} at ${fields.join(', ')}` : err.code];
}

/** A problem with the payload itself (it would fail the same way again): the provider gets a 400. */
const isPayloadProblem = (err: unknown) => MappingError.is(err) || (err instanceof AppError && err.status < 500);

/**
 * Maps an archived request and applies it, in the caller's transaction, settling the archive row
 * with the effects. Throws when the payload cannot be mapped or applied.
 */
async function mapAndApply(tx: TenantTx, rt: ConnectionRuntime, archiveId: string, req: RawRequest): Promise<Processed> {
  const events = await mapInbound(rt.def.manifest, req, { config: rt.ctx.config });
  // A provider payload gets the API's input guard too: NUL or a lone surrogate would fail in
  // PostgreSQL (a 500 the provider retries forever); here it is a 400, archived for replay.
  const unstorable = findUnstorable(events);
  if (unstorable) throw new MappingError([`mapped events${unstorable.path}: ${unstorable.reason}`]);
  const applied = await applyInboundEvents(tx, rt.row.id, events);
  const status = applied.unmatchedProviderIds.length ? 'unmatched' : 'processed';
  await settleArchived(tx, archiveId, { status, messageIds: applied.messageIds, providerMessageIds: applied.providerMessageIds });
  if (status === 'processed') await redactArchived(tx, archiveId, req);
  return { ...applied, archiveId, events, status };
}

/** What the caller is told once the archive is settled as failed: a payload problem is a 400 naming the archive; anything else is rethrown. */
function failureAnswer(rt: ConnectionRuntime, archiveId: string, err: unknown): unknown {
  if (!isPayloadProblem(err)) return err;
  log.warn({ connectionId: rt.row.id, connector: rt.def.id, archiveId }, 'webhook payload could not be mapped');
  return new AppError('validation_failed', `The ${rt.def.displayName} payload could not be mapped; it is archived as ${archiveId} for a replay.`, {
    details: describeFailure(err).map((reason) => ({ reason, rawInboundId: archiveId })),
  });
}

/**
 * An archived request processed later (replay, a resumed org's held requests), in its own
 * transaction; when it fails, the archive is marked failed in another. The request was verified
 * when it arrived.
 */
export async function processArchived(engine: IngressEngine, orgId: string, rt: ConnectionRuntime, archiveId: string, req: RawRequest): Promise<Processed> {
  try {
    return await engine.tenant(orgId, (tx) => mapAndApply(tx, rt, archiveId, req));
  } catch (err) {
    await engine
      .tenant(orgId, (tx) => settleArchived(tx, archiveId, { status: 'failed', error: describeFailure(err).join('\n') }))
      .catch((e: unknown) => log.error({ connectionId: rt.row.id, archiveId, err: (e as Error).message }, 'could not mark the archived request failed'));
    throw failureAnswer(rt, archiveId, err);
  }
}
