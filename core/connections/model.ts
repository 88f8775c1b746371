import type { AnyConnectorDefinition, Registry } from '../../connectors/kit/index.ts';
import { parseSemver } from '../../connectors/kit/index.ts';
import { AppError, invalid, type ErrorDetail } from '../errors.ts';
import type { OrgCrypto } from '../crypto/keyring.ts';

/** The connections row, its API view, and the rules shared by every connection operation. */
export interface ConnectionRow {
  id: string;
  org_id: string;
  connector_id: string;
  /** The exact version resolved when the connection was created or last upgraded. */
  connector_version: string;
  name: string;
  config: Record<string, unknown>;
  secrets_enc: Buffer | Uint8Array | null;
  status: 'active' | 'disabled' | 'error';
  status_reason: string | null;
  sandbox: boolean;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface ConnectionView {
  id: string;
  object: 'connection';
  connector: string;
  /** The version that runs now: the highest installed release of the pinned major. */
  version: string | null;
  major: number;
  name: string;
  config: Record<string, unknown>;
  /** Secrets are write-only: only whether they are set and under which names. */
  secretsSet: boolean;
  secretFields: string[];
  sandbox: boolean;
  status: string;
  statusReason: string | null;
  inboundUrl: string;
  createdAt: string;
  updatedAt: string;
}

export interface ConnectionDeps {
  connectors: Registry;
  publicUrl: string;
}

export const pinnedMajor = (row: Pick<ConnectionRow, 'connector_version'>): number => parseSemver(row.connector_version)?.major ?? 0;

/** The definition a connection runs with: a connection pins a major, so a fixed minor release applies at once. */
export function definitionOf(connectors: Registry, row: Pick<ConnectionRow, 'connector_id' | 'connector_version'>): AnyConnectorDefinition | undefined {
  return connectors.resolve(row.connector_id, pinnedMajor(row));
}

export function requireDefinition(connectors: Registry, row: ConnectionRow): AnyConnectorDefinition {
  const def = definitionOf(connectors, row);
  if (!def) {
    throw new AppError('connector_unavailable', `Connector ${row.connector_id}@${pinnedMajor(row)} is not installed on this server.`);
  }
  return def;
}

export const receiveUrl = (publicUrl: string, connectionId: string) => `${publicUrl}/v1/receive/${connectionId}`;

export function decryptSecrets(crypto: OrgCrypto, row: Pick<ConnectionRow, 'id' | 'secrets_enc'>): Record<string, unknown> {
  return crypto.decryptJson<Record<string, unknown>>(row.id, 'secrets', row.secrets_enc ? Buffer.from(row.secrets_enc) : null) ?? {};
}

export function connectionView(row: ConnectionRow, crypto: OrgCrypto, deps: ConnectionDeps): ConnectionView {
  const secretFields = Object.keys(decryptSecrets(crypto, row)).sort();
  return {
    id: row.id,
    object: 'connection',
    connector: row.connector_id,
    version: definitionOf(deps.connectors, row)?.version ?? null,
    major: pinnedMajor(row),
    name: row.name,
    config: row.config ?? {},
    secretsSet: secretFields.length > 0,
    secretFields,
    sandbox: row.sandbox,
    status: row.status,
    statusReason: row.status_reason,
    inboundUrl: receiveUrl(deps.publicUrl, row.id),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

const REF = /^([a-z][a-z0-9_-]{0,63})(?:@(\d+))?$/;

/** "twilio" → the newest major; "twilio@1" → the highest release of major 1. */
export function resolveConnectorRef(connectors: Registry, ref: string, field = '/connector'): AnyConnectorDefinition {
  const m = REF.exec(ref);
  if (!m) throw invalid(field, 'must be a connector id, optionally with a major version: "twilio" or "twilio@1"');
  const entry = connectors.catalog().find((c) => c.id === m[1]);
  if (!entry) throw invalid(field, `unknown connector "${m[1]}" (GET /v1/connectors lists them)`);
  const major = m[2] === undefined ? entry.versions[0]!.major : Number(m[2]);
  const def = connectors.resolve(entry.id, major);
  if (!def) throw invalid(field, `connector "${entry.id}" has no version with major ${major} (installed: ${entry.versions.map((v) => v.version).join(', ')})`);
  return def;
}

/**
 * The kit reports schema problems as "config/accountSid: must match pattern …"; the API answers
 * with JSON-pointer fields, and a missing property is pointed at where it belongs.
 */
export function problemDetails(problems: string[]): ErrorDetail[] {
  return problems.map((p) => {
    const at = p.indexOf(': ');
    let field = '/' + p.slice(0, at).replace(/\/$/, '');
    const reason = p.slice(at + 2);
    const missing = /^must have required property '(.+)'$/.exec(reason);
    if (missing) field += '/' + missing[1];
    return { field, reason };
  });
}

/** Validates config and secrets against the definition's schemas; every problem in one 400. */
export function checkSettings(def: AnyConnectorDefinition, config: unknown, secrets: unknown): void {
  const problems = [...def.validateConfig(config), ...def.validateSecrets(secrets)];
  if (problems.length) {
    throw new AppError('validation_failed', `The ${def.id} connection settings are invalid.`, { details: problemDetails(problems) });
  }
}
