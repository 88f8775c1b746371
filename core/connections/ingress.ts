import { mapInbound, MappingError, type HttpAnswer, type RawRequest } from '../../connectors/kit/index.ts';
import type { Database } from '../db/database.ts';
import type { Engine } from '../engine.ts';
import { AppError, notFound } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { findUnstorable } from '../storable-text.ts';
import { applyInboundEvents, type Applied } from './apply-events.ts';
import { archiveRequest, redactArchived, settleArchived } from './archive.ts';
import { loadRuntime, type ConnectionRuntime } from './runtime.ts';

const log = createLogger('ingress');

/**
 * The platform's /receive: a provider request for one connection, as raw bytes. In order:
 * the connection names the org (no API key on a webhook) → the connector verifies the signature
 * over the exact bytes (refused: 401, nothing stored) → the request is archived, sealed, in its own
 * transaction → mapped → all of its effects are applied in ONE tenant transaction that also marks
 * the archive processed → only then the provider gets its 2xx. A payload that cannot be mapped is
 * a 400, archived as failed for a replay after a fix.
 */
export type IngressEngine = Pick<Engine, 'db' | 'tenant' | 'connectors'>;

export async function connectionOrg(db: Database, connectionId: string): Promise<string | null> {
  const res = await db.knex.raw('SELECT sb_connection_org(?::uuid) AS org_id', [connectionId]);
  const rows = (res as { rows: { org_id: string | null }[] }).rows;
  return rows[0]?.org_id ?? null;
}

type Received = { rt: ConnectionRuntime; answer: HttpAnswer } | { rt: ConnectionRuntime; archiveId: string; held: boolean };

const DEFAULT_ACK: HttpAnswer = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };

export async function receiveWebhook(engine: IngressEngine, connectionId: string, req: RawRequest): Promise<HttpAnswer> {
  const orgId = await connectionOrg(engine.db, connectionId);
  if (!orgId) throw notFound('connection');
  // Verification runs inside the archiving transaction (it is pure computation over the bytes
  // and the secrets): a refused request rolls back, so nothing of it is stored.
  const received = await engine.tenant<Received>(orgId, async (tx) => {
    const rt = await loadRuntime(tx, engine.connectors, connectionId);
    // A disabled connection is gone for its provider: the same 404 as an unknown id.
    if (rt.row.status === 'disabled') throw notFound('connection');
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (!rt.def.handshake) throw new AppError('not_found', `${rt.def.displayName} webhooks are POSTed; this URL answers no GET.`);
      return { rt, answer: await rt.def.handshake(req, rt.ctx) };
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
    // A suspended org's requests are stored durably and acknowledged, but processed only when it is resumed.
    const held = !!(await tx.trx('orgs').select('suspended_at').where({ id: tx.orgId }).first())?.suspended_at;
    return { rt, archiveId: await archiveRequest(tx, connectionId, req, held ? 'held' : 'received'), held };
  });
  if ('answer' in received) return received.answer;
  const { rt, archiveId } = received;
  if (received.held) return rt.def.ack ? rt.def.ack({ events: [] }, rt.ctx) : DEFAULT_ACK;
  const processed = await processArchived(engine, orgId, rt, archiveId, req);
  return rt.def.ack ? rt.def.ack({ events: processed.events }, rt.ctx) : DEFAULT_ACK;
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
 * Maps an archived request and applies it; the archive row is settled in the same transaction as
 * the effects. Shared by the ingress and the replay (which skips verification: the request was
 * verified when it arrived).
 */
export async function processArchived(engine: IngressEngine, orgId: string, rt: ConnectionRuntime, archiveId: string, req: RawRequest): Promise<Processed> {
  const connectionId = rt.row.id;
  try {
    const events = await mapInbound(rt.def.manifest, req, { config: rt.ctx.config });
    // A provider payload gets the API's input guard too: NUL or a lone surrogate would fail in
    // PostgreSQL (a 500 the provider retries forever); here it is a 400, archived for replay.
    const unstorable = findUnstorable(events);
    if (unstorable) throw new MappingError([`mapped events${unstorable.path}: ${unstorable.reason}`]);
    return await engine.tenant(orgId, async (tx) => {
      const applied = await applyInboundEvents(tx, connectionId, events);
      const status = applied.unmatchedProviderIds.length ? 'unmatched' : 'processed';
      await settleArchived(tx, archiveId, { status, messageIds: applied.messageIds, providerMessageIds: applied.providerMessageIds });
      if (status === 'processed') await redactArchived(tx, archiveId, req);
      return { ...applied, archiveId, events, status };
    });
  } catch (err) {
    const problems = describeFailure(err);
    await engine
      .tenant(orgId, (tx) => settleArchived(tx, archiveId, { status: 'failed', error: problems.join('\n') }))
      .catch((e: unknown) => log.error({ connectionId, archiveId, err: (e as Error).message }, 'could not mark the archived request failed'));
    if (!isPayloadProblem(err)) throw err;
    log.warn({ connectionId, connector: rt.def.id, archiveId }, 'webhook payload could not be mapped');
    throw new AppError('validation_failed', `The ${rt.def.displayName} payload could not be mapped; it is archived as ${archiveId} for a replay.`, {
      details: problems.map((reason) => ({ reason, rawInboundId: archiveId })),
    });
  }
}
