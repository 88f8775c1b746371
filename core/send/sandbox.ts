import crypto from 'node:crypto';
import type { CanonicalStatus } from '../../connectors/kit/index.ts';
import type { Engine } from '../engine.ts';
import type { Job } from '../queue/queue.ts';
import { createLogger } from '../logger.ts';
import { receiveUrl } from '../connections/model.ts';
import { loadRuntime } from '../connections/runtime.ts';
import { applyStatus } from '../messages/status.ts';
import { SANDBOX_CALLBACKS } from './policy.ts';

const log = createLogger('sandbox');

/**
 * Sandbox connections: a send is recorded under a made-up provider id and never leaves; its status
 * callbacks are then simulated the way the provider would send them — built by the connector's
 * simulateStatus, signed with its sign(), POSTed over real HTTP to the connection's own receive
 * URL — so a newcomer exercises the same signed ingress path as production traffic.
 */
export const SANDBOX_QUEUE = 'sandbox-callback';

export interface SandboxCallbackJob {
  orgId: string;
  connectionId: string;
  providerMessageId: string;
  status: CanonicalStatus;
}

export const sandboxMessageId = () => 'SB' + crypto.randomBytes(16).toString('hex');

export async function scheduleSandboxCallbacks(engine: Pick<Engine, 'queue'>, job: Omit<SandboxCallbackJob, 'status'>): Promise<void> {
  await engine.queue.add(
    SANDBOX_QUEUE,
    SANDBOX_CALLBACKS.map(({ status, delayMs }) => ({
      id: `${SANDBOX_QUEUE}:${job.providerMessageId}:${status}`,
      name: status,
      data: { ...job, status } satisfies SandboxCallbackJob,
      delayMs,
      attempts: 3,
    })),
  );
}

export async function runSandboxCallback(engine: Pick<Engine, 'tenant' | 'connectors' | 'config'>, job: Job<SandboxCallbackJob>): Promise<void> {
  const { orgId, connectionId, providerMessageId, status } = job.data;
  const rt = await engine.tenant(orgId, (tx) => loadRuntime(tx, engine.connectors, connectionId));
  if (!rt.def.simulateStatus || !rt.def.sign) {
    // A connector that cannot build its provider's callback still lets the flow finish.
    await engine.tenant(orgId, (tx) => applyStatus(tx, { connectionId, providerMessageId }, status));
    return;
  }
  const sim = await rt.def.simulateStatus({ providerMessageId, status }, rt.ctx);
  const url = receiveUrl(engine.config.publicUrl, connectionId);
  const body = Buffer.from(sim.body);
  const signature = await rt.def.sign({ method: 'POST', url, headers: sim.headers, body }, rt.ctx);
  // Signed over the public URL (what the API checks), sent to wherever this process reaches the API.
  const target = engine.config.internalUrl ? engine.config.internalUrl + new URL(url).pathname : url;
  const res = await fetch(target, { method: 'POST', headers: { ...sim.headers, ...signature }, body, signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  if (!res.ok) {
    log.warn({ connectionId, status, httpStatus: res.status }, 'sandbox callback refused');
    throw new Error(`the sandbox ${status} callback was answered ${res.status}`);
  }
}
