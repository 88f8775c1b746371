import type { TenantTx } from '../db/tenant.ts';
import type { Registry } from '../../connectors/kit/index.ts';
import { findConnectionRow } from './service.ts';
import { definitionOf } from './model.ts';
import { decryptCursor } from './poller.ts';

/**
 * GET /v1/connections/{id}/health: what an admin checks when a provider "stopped working" — when
 * the last request came in and the last message went out, how many inbound requests failed or are
 * unmatched and how many sends failed (last 24 h), the poller's cursor and state, and the OAuth
 * grant. Read from the tables the pipeline already writes; nothing decrypted but the poll cursor.
 */
export interface ConnectionHealth {
  connectionId: string;
  lastInboundAt: string | null;
  lastOutboundAt: string | null;
  errors: { inboundFailed24h: number; inboundUnmatched24h: number; outboundFailed24h: number; inboundFailedTotal: number };
  poller: null | {
    healthy: boolean;
    cursor: string | null;
    lastRunAt: string | null;
    lastSuccessAt: string | null;
    nextRunAt: string;
    failures: number;
    lastError: string | null;
  };
  oauth: null | { authorized: boolean; scopes: string[]; expiresAt: string | null; failure: string | null };
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
const DAY = `now() - interval '24 hours'`;

export async function connectionHealth(tx: TenantTx, connectors: Registry, id: string): Promise<ConnectionHealth> {
  const row = await findConnectionRow(tx, id);
  const def = definitionOf(connectors, row);
  const { rows: inbound } = await tx.trx.raw(
    `SELECT max(received_at) AS last_at,
            count(*) FILTER (WHERE status = 'failed' AND received_at > ${DAY})::int AS failed_24h,
            count(*) FILTER (WHERE status = 'unmatched' AND received_at > ${DAY})::int AS unmatched_24h,
            count(*) FILTER (WHERE status = 'failed')::int AS failed_total
       FROM raw_inbound WHERE connection_id = ?`,
    [id],
  );
  const { rows: outbound } = await tx.trx.raw(
    `SELECT max(created_at) AS last_at, count(*) FILTER (WHERE status = 'failed' AND updated_at > ${DAY})::int AS failed_24h
       FROM messages WHERE connection_id = ? AND direction = 'outbound'`,
    [id],
  );
  const schedule = await tx.trx('poll_schedules').where({ connection_id: id }).first();
  const tokens = def?.oauth?.flow === 'authorization_code' ? await tx.trx('connection_tokens').where({ connection_id: id }).first('expires_at', 'scopes', 'failure') : undefined;
  return {
    connectionId: id,
    lastInboundAt: iso(inbound[0]?.last_at),
    lastOutboundAt: iso(outbound[0]?.last_at),
    errors: {
      inboundFailed24h: inbound[0]?.failed_24h ?? 0,
      inboundUnmatched24h: inbound[0]?.unmatched_24h ?? 0,
      outboundFailed24h: outbound[0]?.failed_24h ?? 0,
      inboundFailedTotal: inbound[0]?.failed_total ?? 0,
    },
    poller: schedule
      ? {
          // Healthy: the last run succeeded (a rate-limit wait is not a failure, see poller.ts).
          healthy: schedule.failures === 0,
          cursor: decryptCursor(tx, schedule),
          lastRunAt: iso(schedule.last_run_at),
          lastSuccessAt: iso(schedule.last_success_at),
          nextRunAt: iso(schedule.next_run_at)!,
          failures: schedule.failures,
          lastError: schedule.last_error,
        }
      : null,
    oauth:
      def?.oauth?.flow === 'authorization_code'
        ? { authorized: !!tokens && !tokens.failure, scopes: tokens?.scopes ?? [], expiresAt: iso(tokens?.expires_at), failure: tokens?.failure ?? null }
        : null,
  };
}
