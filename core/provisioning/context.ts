import { type ProvisioningApi, type ProvisioningContext, type ProvisioningHook } from '../../connectors/kit/index.ts';
import type { Engine } from '../engine.ts';
import { AppError } from '../errors.ts';
import { receiveUrl } from '../connections/model.ts';
import { loadRuntime, type ConnectionRuntime } from '../connections/runtime.ts';
import { providerError } from '../connections/provider-error.ts';
import { sandboxProvisioning } from './sandbox.ts';

/**
 * A connection ready for provisioning calls: its runtime, the hooks it offers (its connector's, or
 * their simulation for a sandbox connection: no credentials, nothing leaves) and the hook context
 * (settings, the URLs the provider must call, the addresses the connection sends from). Loaded in a
 * tenant transaction and used after it: provider calls never hold a transaction open.
 */
export interface Provisioner {
  rt: ConnectionRuntime;
  api: ProvisioningApi;
  ctx: ProvisioningContext;
  sandbox: boolean;
}

export type ProvisioningEngine = Pick<Engine, 'tenant' | 'connectors' | 'config'>;

export async function loadProvisioner(engine: ProvisioningEngine, orgId: string, connectionId: string): Promise<Provisioner> {
  return engine.tenant(orgId, async (tx) => {
    const rt = await loadRuntime(tx, engine.connectors, connectionId);
    const numbers: string[] = (await tx.trx('senders').where({ connection_id: connectionId }).orderBy('created_at').pluck('address')) ?? [];
    const url = receiveUrl(engine.config.publicUrl, connectionId);
    const real = (rt.def.provisioning ?? {}) as ProvisioningApi;
    return {
      rt,
      sandbox: rt.row.sandbox,
      api: rt.row.sandbox ? sandboxProvisioning(real) : real,
      ctx: { ...rt.ctx, urls: { inbound: url, status: url }, numbers: [...new Set(numbers)] },
    };
  });
}

export const offers = (p: Pick<Provisioner, 'api'>, hook: ProvisioningHook) => typeof p.api[hook] === 'function';

/** The hook, or 422 not_supported naming what the connector does offer. */
export function hookOf<H extends ProvisioningHook>(p: Provisioner, hook: H): NonNullable<ProvisioningApi[H]> {
  const fn = p.api[hook];
  if (typeof fn !== 'function') {
    const has = Object.keys(p.api).filter((k) => typeof p.api[k as ProvisioningHook] === 'function');
    throw new AppError('not_supported', `The ${p.rt.def.displayName} connector cannot ${HOOK_WORDS[hook]}.`, {
      details: [{ reason: 'not_supported', connector: p.rt.def.id, supported: has }],
    });
  }
  return fn.bind(p.api) as NonNullable<ProvisioningApi[H]>;
}

const HOOK_WORDS: Record<ProvisioningHook, string> = {
  searchNumbers: 'search numbers',
  buyNumber: 'buy numbers',
  listNumbers: 'list numbers',
  releaseNumber: 'release numbers',
  wiring: 'check or fix webhook URLs',
  registrations: 'read sender registrations',
  templates: 'sync templates',
};

/** Runs a provider call; a ConnectorError becomes the API's error (connections/provider-error.ts). */
export async function viaProvider<T>(p: Provisioner, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw providerError(p.rt.def.displayName, err);
  }
}

