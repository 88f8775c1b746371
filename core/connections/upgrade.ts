import { v7 as uuidv7 } from 'uuid';
import { parseSemver } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { appendEvent } from '../events/events.ts';
import { AppError, invalid } from '../errors.ts';
import { connectionView, decryptSecrets, pinnedMajor, problemDetails, type ConnectionDeps, type ConnectionView } from './model.ts';
import { findConnectionRow } from './service.ts';

/**
 * Moving a connection to another major version is explicit: the config goes through the target
 * manifest's configMigrations (JSONata, chained major by major) and must then satisfy the target's
 * schemas, or nothing changes. Each upgrade is recorded in connection_upgrades with who did it.
 */
export async function upgradeConnection(
  tx: TenantTx,
  deps: ConnectionDeps,
  id: string,
  input: { version: string },
  actor: string,
): Promise<ConnectionView> {
  const row = await findConnectionRow(tx, id, { lock: true });
  const wanted = /^\d+$/.test(input.version) ? { major: Number(input.version) } : parseSemver(input.version);
  if (!wanted) throw invalid('/version', 'must be a major version ("2") or an installed version ("2.0.0")');
  const target = 'minor' in wanted ? deps.connectors.get(row.connector_id, input.version) : deps.connectors.resolve(row.connector_id, wanted.major);
  if (!target) throw invalid('/version', `connector ${row.connector_id} has no installed version ${input.version}`);
  const fromMajor = pinnedMajor(row);
  if (target.major < fromMajor) {
    throw new AppError('unprocessable', `Connections only move forward: ${row.connector_id}@${fromMajor} cannot go back to major ${target.major}.`, {
      details: [{ field: '/version', reason: 'is older than the pinned major' }],
    });
  }
  let config = row.config ?? {};
  if (target.major > fromMajor) {
    try {
      config = await deps.connectors.upgradeConfig(row.connector_id, config, fromMajor, target.major);
    } catch (err) {
      throw new AppError('unprocessable', `The connection's config cannot be upgraded to ${target.version}: ${(err as Error).message}`, {
        details: [{ field: '/version', reason: (err as Error).message }],
      });
    }
  }
  const secretProblems = target.validateSecrets(decryptSecrets(tx.crypto, row));
  if (secretProblems.length) {
    throw new AppError('unprocessable', `The connection's secrets do not fit ${row.connector_id}@${target.version}; update them first.`, {
      details: problemDetails(secretProblems),
    });
  }
  const [updated] = await tx.trx('connections')
    .where({ id })
    .update({ connector_version: target.version, config, updated_at: tx.trx.fn.now() })
    .returning('*');
  await tx.trx('connection_upgrades').insert({
    id: uuidv7(),
    org_id: tx.orgId,
    connection_id: id,
    from_version: row.connector_version,
    to_version: target.version,
    actor,
  });
  const view = connectionView(updated, tx.crypto, deps);
  await appendEvent(tx, { type: 'connection.upgraded', subjectId: id, data: { connection: view, from: row.connector_version, to: target.version } });
  return view;
}

export interface UpgradeRecord {
  id: string;
  fromVersion: string;
  toVersion: string;
  actor: string;
  createdAt: string;
}

export async function listUpgrades(tx: TenantTx, connectionId: string): Promise<UpgradeRecord[]> {
  await findConnectionRow(tx, connectionId);
  const rows = await tx.trx('connection_upgrades').where({ connection_id: connectionId }).orderBy('created_at').orderBy('id');
  return rows.map((r: { id: string; from_version: string; to_version: string; actor: string; created_at: Date | string }) => ({
    id: r.id,
    fromVersion: r.from_version,
    toVersion: r.to_version,
    actor: r.actor,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

export interface UpgradeOption {
  version: string;
  major: number;
  /** The connector's CHANGELOG.md entry for that version (null when it ships none). */
  changelog: string | null;
}

/**
 * GET /v1/connections/{id}/upgrade-options: the running version with its CHANGELOG entry, and each
 * newer major the connection could move to (the highest release of each), with theirs. Releases
 * within the pinned major need no upgrade: the connection runs the highest one already.
 */
export async function upgradeOptions(tx: TenantTx, deps: ConnectionDeps, id: string): Promise<{ current: UpgradeOption | null; options: UpgradeOption[] }> {
  const row = await findConnectionRow(tx, id);
  const major = pinnedMajor(row);
  const running = deps.connectors.resolve(row.connector_id, major);
  const entry = deps.connectors.catalog().find((c) => c.id === row.connector_id);
  const majors = [...new Set((entry?.versions ?? []).map((v) => v.major))].filter((m) => m > major).sort((a, b) => a - b);
  const option = (version: string, m: number): UpgradeOption => ({ version, major: m, changelog: deps.connectors.changelog(row.connector_id, version) });
  return {
    current: running ? option(running.version, major) : null,
    options: majors.map((m) => deps.connectors.resolve(row.connector_id, m)!).map((d) => option(d.version, d.major)),
  };
}
