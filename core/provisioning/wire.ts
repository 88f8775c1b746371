import type { WiringItem } from '../../connectors/kit/index.ts';
import { createLogger } from '../logger.ts';
import { updateConnection } from '../connections/service.ts';
import { providerError } from '../connections/provider-error.ts';
import { hookOf, loadProvisioner, offers, type Provisioner, type ProvisioningEngine } from './context.ts';

const log = createLogger('connection-wiring');

/**
 * Wiring on connect: right after POST /v1/connections creates a connection, every webhook of the
 * provider account that the connection needs is pointed at it (Twilio numbers and Messaging
 * Service, SendGrid Inbound Parse and signed Event Webhook, the WhatsApp app subscription) through
 * the connector's wiring hook with fix on. The connection exists whatever the provider answers: a
 * refusal (bad credentials, a missing WABA id, an outage) is reported beside it, and the admin can
 * fix it later (POST …/wiring/fix, "Fix webhook URLs"). The provider is called outside any
 * transaction; what a fix produced for the engine (SendGrid's verification key) is stored.
 */
export interface ConnectWiring {
  /**
   * wired: every item points at us; incomplete: something the engine cannot change is missing (a
   * DNS record, a number not in the account): see items; failed: the provider refused or could not
   * be reached (error); not_offered: the connector has no wiring; skipped: wire: false.
   */
  status: 'wired' | 'incomplete' | 'failed' | 'not_offered' | 'skipped';
  items?: WiringItem[];
  error?: { code: string; message: string; details?: unknown };
}

export async function wireConnection(engine: ProvisioningEngine, orgId: string, connectionId: string): Promise<ConnectWiring> {
  const p = await loadProvisioner(engine, orgId, connectionId);
  if (!offers(p, 'wiring')) return { status: 'not_offered' };
  let items: WiringItem[];
  try {
    items = await hookOf(p, 'wiring')({ fix: true }, p.ctx);
  } catch (err) {
    const e = providerError(p.rt.def.displayName, err);
    log.warn({ connectionId, code: e.code }, 'wiring on connect refused');
    return { status: 'failed', error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
  }
  await storeConfigUpdates(engine, orgId, p, items);
  const report = publicItems(items);
  return { status: report.every((w) => w.ok) ? 'wired' : 'incomplete', items: report };
}

/** A fix may have created settings the connection needs (SendGrid's webhook verification key): merged into its config. */
export async function storeConfigUpdates(engine: ProvisioningEngine, orgId: string, p: Provisioner, items: WiringItem[]): Promise<void> {
  const configUpdate = Object.assign({}, ...items.map((w) => w.configUpdate ?? {}));
  if (!Object.keys(configUpdate).length) return;
  await engine.tenant(orgId, (tx) =>
    updateConnection(tx, { connectors: engine.connectors, publicUrl: engine.config.publicUrl }, p.rt.row.id, { config: { ...p.rt.row.config, ...configUpdate } }),
  );
}

/** configUpdate is for the engine; a report says only that it happened (fixed: true). */
export const publicItems = (items: WiringItem[]): WiringItem[] => items.map(({ configUpdate: _stored, ...w }) => w);

/** The places a fix changed, for the audit log (ids and fields, never URLs or settings). */
export const fixedItems = (items: WiringItem[] | null | undefined) => (items ?? []).filter((w) => w.fixed).map((w) => ({ kind: w.kind, id: w.id, field: w.field }));
