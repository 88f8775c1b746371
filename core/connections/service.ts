import { v7 as uuidv7 } from 'uuid';
import { orgSettings } from '../org-settings.ts';
import { baaRefusal } from '../compliance/hipaa.ts';
import type { TenantTx } from '../db/tenant.ts';
import { appendEvent } from '../events/events.ts';
import { notFound } from '../errors.ts';
import {
  checkSettings,
  connectionView,
  decryptSecrets,
  requireDefinition,
  resolveConnectorRef,
  type ConnectionDeps,
  type ConnectionRow,
  type ConnectionView,
} from './model.ts';

/**
 * Installing a connector for an org: config is validated against the connector's schema and kept
 * in clear (it holds ids, not credentials); secrets are validated and sealed with the org key under
 * the connection's id, and never leave the engine again. Every change is an event.
 */
export interface NewConnection {
  connector: string;
  name: string;
  config?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  sandbox?: boolean;
}

export interface ConnectionPatch {
  name?: string;
  config?: Record<string, unknown>;
  /** Merged into the stored secrets key by key; a key set to null is removed. */
  secrets?: Record<string, unknown>;
  sandbox?: boolean;
  status?: 'active' | 'disabled';
}

export async function findConnectionRow(tx: TenantTx, id: string, opts: { lock?: boolean } = {}): Promise<ConnectionRow> {
  const q = tx.trx('connections').where({ id }).first();
  const row: ConnectionRow | undefined = await (opts.lock ? q.forUpdate() : q);
  if (!row) throw notFound('connection');
  return row;
}

async function emit(tx: TenantTx, type: string, view: ConnectionView, extra: Record<string, unknown> = {}) {
  await appendEvent(tx, { type, subjectId: view.id, data: { connection: view, ...extra } });
}

export async function createConnection(tx: TenantTx, deps: ConnectionDeps, input: NewConnection): Promise<ConnectionView> {
  const def = resolveConnectorRef(deps.connectors, input.connector);
  const config = input.config ?? {};
  const secrets = input.secrets ?? {};
  const refusal = (await orgSettings(tx.trx, tx.orgId)).hipaaMode ? baaRefusal(def, config) : null;
  if (refusal) throw refusal;
  checkSettings(def, config, secrets);
  const id = uuidv7();
  const [row] = await tx.trx('connections')
    .insert({
      id,
      org_id: tx.orgId,
      connector_id: def.id,
      connector_version: def.version,
      name: input.name,
      config,
      secrets_enc: tx.crypto.encryptJson(id, 'secrets', secrets),
      sandbox: input.sandbox ?? false,
    })
    .returning('*');
  const view = connectionView(row, tx.crypto, deps);
  await emit(tx, 'connection.created', view);
  return view;
}

export async function listConnections(tx: TenantTx, deps: ConnectionDeps, filter: { status?: string; connector?: string } = {}): Promise<ConnectionView[]> {
  const q = tx.trx('connections').orderBy('created_at').orderBy('id');
  if (filter.status) q.where({ status: filter.status });
  if (filter.connector) q.where({ connector_id: filter.connector });
  const rows: ConnectionRow[] = await q;
  return rows.map((r) => connectionView(r, tx.crypto, deps));
}

export async function getConnection(tx: TenantTx, deps: ConnectionDeps, id: string): Promise<ConnectionView> {
  return connectionView(await findConnectionRow(tx, id), tx.crypto, deps);
}

export async function updateConnection(tx: TenantTx, deps: ConnectionDeps, id: string, patch: ConnectionPatch): Promise<ConnectionView> {
  const row = await findConnectionRow(tx, id, { lock: true });
  const changes: Record<string, unknown> = {};
  if (patch.config !== undefined || patch.secrets !== undefined) {
    const def = requireDefinition(deps.connectors, row);
    const config = patch.config ?? row.config;
    const secrets = { ...decryptSecrets(tx.crypto, row) };
    for (const [k, v] of Object.entries(patch.secrets ?? {})) {
      if (v === null) delete secrets[k];
      else secrets[k] = v;
    }
    checkSettings(def, config, secrets);
    // A HIPAA org cannot turn a connection's BAA flag off (or save one without it).
    const refusal = patch.config !== undefined && (await orgSettings(tx.trx, tx.orgId)).hipaaMode ? baaRefusal(def, config) : null;
    if (refusal) throw refusal;
    if (patch.config !== undefined) changes.config = config;
    if (patch.secrets !== undefined) changes.secrets_enc = tx.crypto.encryptJson(id, 'secrets', secrets);
  }
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.sandbox !== undefined) changes.sandbox = patch.sandbox;
  if (patch.status !== undefined && patch.status !== row.status) {
    changes.status = patch.status;
    changes.status_reason = null;
  }
  if (!Object.keys(changes).length) return connectionView(row, tx.crypto, deps);
  const [updated] = await tx.trx('connections').where({ id }).update({ ...changes, updated_at: tx.trx.fn.now() }).returning('*');
  const view = connectionView(updated, tx.crypto, deps);
  // Field names only: the event feed must not learn a secret's value (nor that of a config field it did not need).
  const fields = Object.keys(patch).filter((k) => patch[k as keyof ConnectionPatch] !== undefined);
  await emit(tx, changes.status === 'disabled' ? 'connection.disabled' : 'connection.updated', view, { changes: fields });
  return view;
}

/**
 * Connections are disabled, not deleted: messages keep pointing at the connection they went
 * through, and a provider still calling the receive URL gets a 404 instead of reaching another org.
 */
export async function disableConnection(tx: TenantTx, deps: ConnectionDeps, id: string): Promise<ConnectionView> {
  return updateConnection(tx, deps, id, { status: 'disabled' });
}

