import type { TestResult } from '../../connectors/kit/index.ts';
import type { Engine } from '../engine.ts';
import { createLogger } from '../logger.ts';
import { loadRuntime } from './runtime.ts';

const log = createLogger('connections');

/**
 * POST /v1/connections/{id}/test: the connector's harmless credentials check, made after the
 * tenant transaction (a provider call never holds one open). A sandbox connection never calls
 * out, so it is always ok.
 */
export async function testConnection(engine: Pick<Engine, 'tenant' | 'connectors'>, orgId: string, id: string): Promise<TestResult & { sandbox: boolean }> {
  const rt = await engine.tenant(orgId, (tx) => loadRuntime(tx, engine.connectors, id));
  if (rt.row.sandbox) return { ok: true, sandbox: true, message: 'Sandbox connection: nothing is sent to the provider.' };
  if (typeof rt.def.test !== 'function') return { ok: true, sandbox: false, message: `${rt.def.displayName} has no credentials check; settings are valid.` };
  try {
    return { ...(await rt.def.test(rt.ctx)), sandbox: false };
  } catch (err) {
    // A connector's test should answer {ok:false}; one that throws still gets a readable answer.
    log.warn({ connectionId: id, connector: rt.def.id, err: (err as Error).message }, 'connection test threw');
    return { ok: false, sandbox: false, message: (err as Error).message };
  }
}
