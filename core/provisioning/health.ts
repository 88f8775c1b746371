import type { WiringItem } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { appendEvent } from '../events/events.ts';
import { isUsLongCode } from '../compliance/preflight.ts';
import { createLogger } from '../logger.ts';
import { updateConnection } from '../connections/service.ts';
import { providerError } from '../connections/provider-error.ts';
import { hookOf, loadProvisioner, offers, viaProvider, type Provisioner, type ProvisioningEngine } from './context.ts';

const log = createLogger('connection-health');

/**
 * The wiring check of a connection (GET /v1/connections/{id}/health): do the provider's webhooks
 * point at us, do the credentials work, is traffic flowing (last inbound / outbound, outbound
 * failure rate over 24 h), are the senders registered. Each check is stored; a status different
 * from the last one emits connection.health_changed (degradation and recovery alike), so a rule
 * or a webhook subscription can alert an admin once rather than at every check.
 *
 * Status: failing (the connection cannot work: disabled, credentials refused), degraded (it
 * works partly: a webhook points elsewhere, an unregistered US sender, 2 or more of the last 5
 * sends (within 24 h) failed), else ok.
 */
export type HealthStatus = 'ok' | 'degraded' | 'failing';

export interface Problem {
  code: string;
  message: string;
  severity: 'degraded' | 'failing';
}

export interface HealthReport {
  object: 'connection_health';
  connectionId: string;
  connector: string;
  sandbox: boolean;
  status: HealthStatus;
  previousStatus: HealthStatus | null;
  checkedAt: string;
  credentials: { ok: boolean; message?: string };
  /** null: the connector offers no wiring check. */
  wiring: WiringItem[] | null;
  senders: { id: string; channel: string; address: string; registrationStatus: string; providerStatus: string | null; checkedAt: string | null }[];
  traffic: { lastInboundAt: string | null; lastOutboundAt: string | null; outbound24h: number; failed24h: number; errorRate: number | null; recent: { sends: number; failed: number } };
  problems: Problem[];
}

const FAILED = ['failed', 'undelivered'];
/** Degraded when at least RECENT_FAILED of the connection's last RECENT outbound messages (within 24 h) failed. */
export const RECENT = 5;
export const RECENT_FAILED = 2;

/** Runs the wiring check (fix: re-point what points elsewhere first: "Fix webhook URLs"). */
export async function checkHealth(engine: ProvisioningEngine, orgId: string, connectionId: string, opts: { fix?: boolean } = {}): Promise<HealthReport> {
  const p = await loadProvisioner(engine, orgId, connectionId);
  const problems: Problem[] = [];
  const credentials = await checkCredentials(p);
  if (!credentials.ok) problems.push({ code: 'credentials_refused', message: credentials.message ?? 'The provider refused the credentials.', severity: 'failing' });
  let wiring: WiringItem[] | null = null;
  if (offers(p, 'wiring')) {
    try {
      wiring = await hookOf(p, 'wiring')({ fix: !!opts.fix }, p.ctx);
    } catch (err) {
      if (opts.fix) throw providerError(p.rt.def.displayName, err);
      problems.push({ code: 'wiring_unchecked', message: `The webhook settings could not be read: ${(err as Error).message}`, severity: 'degraded' });
    }
    for (const item of wiring ?? []) {
      if (!item.ok) {
        const where = item.field ? `${item.kind} ${item.id} ${item.field}` : `${item.kind} ${item.id}`;
        const detail = item.message ?? (item.expected ? `points at ${item.actual ?? 'nothing'}, not ${item.expected}` : 'is not set up');
        problems.push({ code: 'webhook_misdirected', message: `${where} ${detail}`, severity: 'degraded' });
      }
    }
  }
  // A fix may have created settings the connection needs (SendGrid's webhook verification key).
  const configUpdate = Object.assign({}, ...(wiring ?? []).map((w) => w.configUpdate ?? {}));
  return engine.tenant(orgId, async (tx) => {
    if (Object.keys(configUpdate).length) {
      const deps = { connectors: engine.connectors, publicUrl: engine.config.publicUrl };
      await updateConnection(tx, deps, connectionId, { config: { ...p.rt.row.config, ...configUpdate } });
    }
    if (p.rt.row.status !== 'active') problems.unshift({ code: 'connection_disabled', message: `The connection is ${p.rt.row.status}.`, severity: 'failing' });
    const senders = await senderStates(tx, connectionId, p.sandbox, problems);
    const traffic = await trafficOf(tx, connectionId, problems);
    const status: HealthStatus = problems.some((x) => x.severity === 'failing') ? 'failing' : problems.length ? 'degraded' : 'ok';
    const previousStatus = await recordStatus(tx, connectionId, status, problems);
    return {
      object: 'connection_health',
      connectionId,
      connector: p.rt.def.id,
      sandbox: p.sandbox,
      status,
      previousStatus,
      checkedAt: new Date().toISOString(),
      credentials,
      // configUpdate is for the engine; the report says only that it happened (fixed: true).
      wiring: wiring && wiring.map(({ configUpdate: _stored, ...w }) => w),
      senders,
      traffic,
      problems,
    };
  });
}

async function checkCredentials(p: Provisioner): Promise<{ ok: boolean; message?: string }> {
  if (p.sandbox || typeof p.rt.def.test !== 'function') return { ok: true };
  try {
    const r = await p.rt.def.test(p.rt.ctx);
    return r.message ? { ok: r.ok, message: r.message } : { ok: r.ok };
  } catch (err) {
    log.warn({ connectionId: p.rt.row.id, err: (err as Error).message }, 'credentials check threw');
    return { ok: false, message: (err as Error).message };
  }
}

async function senderStates(tx: TenantTx, connectionId: string, sandbox: boolean, problems: Problem[]) {
  const rows = await tx.trx('senders').where({ connection_id: connectionId }).orderBy('created_at').orderBy('id');
  for (const s of rows) {
    // The preflight's rule, applied ahead of time: a US 10DLC long code without approval is refused at send.
    if (!sandbox && ['sms', 'mms'].includes(s.channel) && isUsLongCode(s.address) && !['approved', 'not_required'].includes(s.registration_status)) {
      problems.push({ code: 'sender_unregistered', message: `${s.address} has no approved 10DLC campaign (${s.registration_status}): US sends from it are refused.`, severity: 'degraded' });
    }
    if (s.quality_rating === 'RED') problems.push({ code: 'sender_quality_low', message: `${s.address} has a RED quality rating at the provider.`, severity: 'degraded' });
  }
  return rows.map((s: Record<string, any>) => ({
    id: s.id,
    channel: s.channel,
    address: s.address,
    registrationStatus: s.registration_status,
    providerStatus: s.provider_status ?? null,
    checkedAt: s.registration_checked_at ? new Date(s.registration_checked_at).toISOString() : null,
  }));
}

async function trafficOf(tx: TenantTx, connectionId: string, problems: Problem[]) {
  const last = await tx.trx('messages')
    .where({ connection_id: connectionId })
    .select(tx.trx.raw(`max(created_at) FILTER (WHERE direction = 'inbound') AS inbound`), tx.trx.raw(`max(created_at) FILTER (WHERE direction = 'outbound') AS outbound`))
    .first();
  const counts = await tx.trx('messages')
    .where({ connection_id: connectionId, direction: 'outbound' })
    .where('created_at', '>=', tx.trx.raw(`now() - interval '24 hours'`))
    .select(tx.trx.raw('count(*) AS total'), tx.trx.raw('count(*) FILTER (WHERE status = ANY(?)) AS failed', [FAILED]))
    .first();
  const total = Number(counts?.total ?? 0);
  const failed = Number(counts?.failed ?? 0);
  const errorRate = total ? failed / total : null;
  // What is failing now, not what failed this morning: the last RECENT sends of the day.
  const recent: { status: string }[] = await tx.trx('messages')
    .where({ connection_id: connectionId, direction: 'outbound' })
    .where('created_at', '>=', tx.trx.raw(`now() - interval '24 hours'`))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(RECENT)
    .select('status');
  const recentFailed = recent.filter((m) => FAILED.includes(m.status)).length;
  if (recentFailed >= RECENT_FAILED) {
    problems.push({ code: 'high_failure_rate', message: `${recentFailed} of the last ${recent.length} outbound messages failed (${failed} of ${total} in the last 24 hours).`, severity: 'degraded' });
  }
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return { lastInboundAt: iso(last?.inbound), lastOutboundAt: iso(last?.outbound), outbound24h: total, failed24h: failed, errorRate, recent: { sends: recent.length, failed: recentFailed } };
}

/** Stores the status; a change (or a first check that is not ok) emits connection.health_changed. */
async function recordStatus(tx: TenantTx, connectionId: string, status: HealthStatus, problems: Problem[]): Promise<HealthStatus | null> {
  const prev = await tx.trx('connection_health').where({ connection_id: connectionId }).forUpdate().first();
  // 'unknown': the row the provisioning job claimed before any check finished.
  const previous = (prev && prev.status !== 'unknown' ? prev.status : null) as HealthStatus | null;
  const changed = previous !== status && !(previous === null && status === 'ok');
  const problemsJson = JSON.stringify(problems);
  if (prev) {
    await tx.trx('connection_health')
      .where({ connection_id: connectionId })
      .update({ status, problems: problemsJson, checked_at: tx.trx.fn.now(), ...(previous !== status ? { changed_at: tx.trx.fn.now() } : {}) });
  } else {
    await tx.trx('connection_health').insert({ connection_id: connectionId, org_id: tx.orgId, status, problems: problemsJson });
  }
  if (changed) {
    await appendEvent(tx, {
      type: 'connection.health_changed',
      subjectId: connectionId,
      data: { connectionId, status, previous, degraded: rank(status) > rank(previous ?? 'ok'), problems },
    });
  }
  return previous;
}

const rank = (s: HealthStatus) => ({ ok: 0, degraded: 1, failing: 2 })[s];
