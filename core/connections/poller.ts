import { v7 as uuidv7 } from 'uuid';
import { ConnectorError, normalizedEventSchema, type PollResult } from '../../connectors/kit/index.ts';
import { describeAjvErrors, kitAjv } from '../../connectors/kit/ajv.ts';
import type { TenantTx } from '../db/tenant.ts';
import type { Engine } from '../engine.ts';
import { createLogger } from '../logger.ts';
import { runEvery } from '../periodic.ts';
import { listOrgIds } from '../orgs.ts';
import { applyInboundEvents } from './apply-events.ts';
import { integrationContext, withAuthRetry } from './oauth.ts';

const log = createLogger('poller');

/**
 * Polled sources (ServiceTitan, AppFolio…): every active connection whose connector has `poll`
 * gets a poll_schedules row and is polled every poll.intervalSeconds.
 *
 * - Claim: a short transaction takes due rows FOR UPDATE SKIP LOCKED and stamps them with a claim
 *   id and a lease, so any number of processes share the work and a row is polled by one at a time;
 *   a crashed poller's lease expires and another process takes the row over.
 * - The provider is called outside any transaction.
 * - Apply: ONE transaction re-checks the claim (a poller whose lease was taken over drops its
 *   page), applies the page's events and stores the new cursor. The cursor therefore moves only
 *   with the events it covers: a crash or a failed apply leaves it where it was and the page is
 *   polled again; the external_events dedupe makes that second delivery harmless.
 * - Rate limits (ConnectorError rate_limited) wait Retry-After (else one interval) and are not
 *   failures; other failures back off exponentially (interval × 2^failures, at most an hour).
 * - hasMore polls the next page at once (up to maxPagesPerRun, then the row is due immediately).
 */
/** How long one page (poll.run, all its provider calls) may take; connectors pass ctx.signal to their HTTP calls. */
export const PAGE_TIMEOUT_MS = 2 * 60_000;

export interface PollerOptions {
  /** Schedules claimed per org per run. */
  batchSize?: number;
  leaseMs?: number;
  pageTimeoutMs?: number;
  maxPagesPerRun?: number;
  now?: () => number;
}

export interface PollRun {
  connections: number;
  pages: number;
  events: number;
  failed: number;
}

interface Claim {
  connectionId: string;
  claimId: string;
  cursor: string | null;
}

const MAX_BACKOFF_SECONDS = 3600;

const validEvent = kitAjv.compile(normalizedEventSchema);

/** A page is applied whole or not at all: one malformed event fails it (and the cursor stays). */
function checkPage(page: PollResult): void {
  const problems = (Array.isArray(page?.events) ? page.events : [null]).flatMap((e, i) =>
    validEvent(e) ? [] : describeAjvErrors(validEvent.errors, `poll page event ${i} `),
  );
  for (const [i, p] of (page?.people ?? []).entries()) {
    if (p?.kind !== 'contact_update' || !p.externalId || !validEvent(p)) problems.push(`poll page person ${i}: must be a contact_update with an externalId`);
  }
  if (page?.cursor !== null && typeof page?.cursor !== 'string') problems.push('poll page: cursor must be a string or null');
  if (problems.length) throw new ConnectorError('invalid_request', `The connector returned an invalid poll page: ${problems.join('; ')}`, { retryable: false });
}

/** Connectors with a poll hook in any registered version (a connection's pinned major decides at poll time). */
export function pollingConnectorIds(engine: Pick<Engine, 'connectors'>): string[] {
  return engine.connectors
    .catalog()
    .filter((c) => c.versions.some((v) => !!engine.connectors.get(c.id, v.version)?.poll))
    .map((c) => c.id);
}

/** The poller's cursor in clear (provider positions: timestamps, ids; no message content). */
export const decryptCursor = (tx: TenantTx, row: { connection_id: string; cursor_enc: Uint8Array | null }) =>
  row.cursor_enc ? tx.crypto.decrypt(row.connection_id, 'poll_cursor', Buffer.from(row.cursor_enc)) : null;

/** Creates missing schedules, then claims the due ones (the lease keeps other pollers off them). */
async function claimDue(tx: TenantTx, connectorIds: string[], limit: number, leaseMs: number): Promise<Claim[]> {
  if (!connectorIds.length) return [];
  await tx.trx.raw(
    `INSERT INTO poll_schedules (connection_id, org_id)
     SELECT id, org_id FROM connections WHERE status = 'active' AND connector_id = ANY(?::text[])
     ON CONFLICT (connection_id) DO NOTHING`,
    [connectorIds],
  );
  const { rows } = await tx.trx.raw(
    `SELECT ps.connection_id, ps.cursor_enc FROM poll_schedules ps JOIN connections c ON c.id = ps.connection_id
     WHERE c.status = 'active' AND c.connector_id = ANY(?::text[]) AND ps.next_run_at <= now()
       AND (ps.claimed_until IS NULL OR ps.claimed_until < now())
     ORDER BY ps.next_run_at LIMIT ? FOR UPDATE OF ps SKIP LOCKED`,
    [connectorIds, limit],
  );
  const claims: Claim[] = [];
  for (const row of rows as { connection_id: string; cursor_enc: Uint8Array | null }[]) {
    const claimId = uuidv7();
    await tx.trx('poll_schedules')
      .where({ connection_id: row.connection_id })
      .update({ claim_id: claimId, claimed_until: tx.trx.raw(`now() + (? * interval '1 millisecond')`, [leaseMs]), updated_at: tx.trx.fn.now() });
    claims.push({ connectionId: row.connection_id, claimId, cursor: decryptCursor(tx, row) });
  }
  return claims;
}

/** The schedule row, locked, if this claim still holds it. */
async function ownRow(tx: TenantTx, claim: Claim): Promise<{ failures: number } | null> {
  const row = await tx.trx('poll_schedules').where({ connection_id: claim.connectionId }).forUpdate().first();
  return row && row.claim_id === claim.claimId ? row : null;
}

const after = (tx: TenantTx, seconds: number) => tx.trx.raw(`now() + (? * interval '1 second')`, [Math.max(0, seconds)]);

/** The page's events and the cursor past them, in one transaction; false when the claim was lost. */
async function commitPage(engine: Engine, orgId: string, claim: Claim, page: PollResult, intervalSeconds: number, more: boolean) {
  return engine.tenant(orgId, async (tx) => {
    if (!(await ownRow(tx, claim))) return null;
    const applied = await applyInboundEvents(tx, claim.connectionId, [...(page.people ?? []), ...page.events]);
    const cursor = page.cursor ?? claim.cursor;
    await tx.trx('poll_schedules')
      .where({ connection_id: claim.connectionId })
      .update({
        cursor_enc: cursor === null ? null : tx.crypto.encrypt(claim.connectionId, 'poll_cursor', cursor),
        failures: 0,
        last_error: null,
        last_run_at: tx.trx.fn.now(),
        last_success_at: tx.trx.fn.now(),
        next_run_at: after(tx, more ? 0 : intervalSeconds),
        // Keep the claim while more pages follow in this run; release it otherwise.
        ...(more ? {} : { claim_id: null, claimed_until: null }),
        updated_at: tx.trx.fn.now(),
      });
    return applied;
  });
}

/** A failed poll or apply: rate limits wait, other errors back off; the cursor is not touched. */
async function recordFailure(engine: Engine, orgId: string, claim: Claim, err: unknown, intervalSeconds: number): Promise<void> {
  const limited = ConnectorError.is(err) && err.code === 'rate_limited';
  const code = ConnectorError.is(err) ? err.code : ((err as { code?: string })?.code ?? 'error');
  // The message of a provider or engine error names fields and statuses, not people; kept short.
  const message = `${code}: ${String((err as Error)?.message ?? err).slice(0, 300)}`;
  await engine.tenant(orgId, async (tx) => {
    const row = await ownRow(tx, claim);
    if (!row) return;
    const failures = limited ? row.failures : row.failures + 1;
    const delay = limited
      ? ((err as ConnectorError).retryAfterMs ?? intervalSeconds * 1000) / 1000
      : Math.min(intervalSeconds * 2 ** failures, MAX_BACKOFF_SECONDS);
    await tx.trx('poll_schedules')
      .where({ connection_id: claim.connectionId })
      .update({ failures, last_error: message, last_run_at: tx.trx.fn.now(), next_run_at: after(tx, delay), claim_id: null, claimed_until: null, updated_at: tx.trx.fn.now() });
  });
  log.warn({ connectionId: claim.connectionId, code, rateLimited: limited }, 'poll failed');
}

/** Polls one claimed connection: pages until !hasMore (or the per-run cap); each page committed with its cursor. */
async function pollClaimed(engine: Engine, orgId: string, claim: Claim, opts: PollerOptions, run: PollRun): Promise<void> {
  const maxPages = opts.maxPagesPerRun ?? 10;
  let intervalSeconds = 60;
  try {
    const ctx = await integrationContext(engine, orgId, claim.connectionId, opts.now ? { now: opts.now } : {});
    const poll = ctx.runtime.def.poll;
    if (!poll) return;
    intervalSeconds = poll.intervalSeconds;
    for (let page = 1; ; page++) {
      // Each page gets a deadline (ctx.signal): a provider that never answers must not hold the
      // claimed connections behind it until their lease runs out.
      const pageCtx = { ...ctx, signal: AbortSignal.timeout(opts.pageTimeoutMs ?? PAGE_TIMEOUT_MS) };
      const result = await withAuthRetry(pageCtx, () => poll.run(claim.cursor, pageCtx));
      checkPage(result);
      const more = !!result.hasMore && page < maxPages;
      const applied = await commitPage(engine, orgId, claim, result, intervalSeconds, more);
      if (!applied) {
        log.warn({ connectionId: claim.connectionId }, 'poll claim lost to another process; page dropped');
        return;
      }
      run.pages++;
      run.events += applied.externalEvents;
      claim.cursor = result.cursor ?? claim.cursor;
      if (!more) {
        // The per-run cap reached with pages still waiting: due again at once, for the next run.
        if (result.hasMore) await engine.tenant(orgId, (tx) => tx.trx('poll_schedules').where({ connection_id: claim.connectionId }).update({ next_run_at: tx.trx.fn.now() }));
        return;
      }
    }
  } catch (err) {
    run.failed++;
    await recordFailure(engine, orgId, claim, err, intervalSeconds).catch((e: unknown) =>
      log.error({ connectionId: claim.connectionId, err: (e as Error).message }, 'could not record the poll failure'),
    );
  }
}

/** One pass over every org: claims what is due and polls it. */
export async function runPollerOnce(engine: Engine, opts: PollerOptions = {}): Promise<PollRun> {
  const run: PollRun = { connections: 0, pages: 0, events: 0, failed: 0 };
  const ids = pollingConnectorIds(engine);
  if (!ids.length) return run;
  for (const orgId of await listOrgIds(engine.db)) {
    let claims: Claim[];
    try {
      claims = await engine.tenant(orgId, (tx) => claimDue(tx, ids, opts.batchSize ?? 20, opts.leaseMs ?? 5 * 60_000));
    } catch (err) {
      log.error({ orgId, err: (err as Error).message }, 'could not claim poll schedules');
      continue;
    }
    for (const claim of claims) {
      run.connections++;
      await pollClaimed(engine, orgId, claim, opts, run);
    }
  }
  return run;
}

export interface Poller {
  stop(): Promise<void>;
}

/** runPollerOnce every tickMs (default 5 s: schedules carry their own intervals); stop() waits for a pass in progress. */
export function startPoller(engine: Engine, opts: PollerOptions & { tickMs?: number } = {}): Poller {
  return runEvery(() => runPollerOnce(engine, opts), opts.tickMs ?? 5_000, log, 'poller pass failed');
}
