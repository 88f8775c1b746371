import type { Engine } from '../engine.ts';
import { AppError } from '../errors.ts';
import { queueOutbound, Refused, type QueueOutboundInput } from './preflight.ts';

/**
 * The send preflight as a dry run (POST /v1/messages/preflight): the very checks a send makes —
 * service window, monthly limit, consent, 10DLC sender, quiet hours — run by queueOutbound itself
 * inside a transaction that is always rolled back, so the verdict is the one a send would get now
 * and nothing (message, contact, event) is stored. A composer shows it before the agent sends.
 */
export interface SendVerdict {
  object: 'send_preflight';
  allow: boolean;
  /** The refusal a send would answer with (422 codes: recipient_opted_out, quiet_hours, window_closed…). */
  code: string | null;
  message: string | null;
  /** A marketing message in quiet hours would be held until then (allow stays true). */
  deferredUntil: string | null;
  details: unknown;
}

class RollBack extends Error {
  constructor(readonly verdict: SendVerdict) {
    super('dry run');
  }
}

const verdict = (v: Partial<SendVerdict>): SendVerdict => ({ object: 'send_preflight', allow: true, code: null, message: null, deferredUntil: null, details: null, ...v });

export async function previewOutbound(engine: Pick<Engine, 'tenant' | 'connectors'>, orgId: string, input: QueueOutboundInput): Promise<SendVerdict> {
  try {
    await engine.tenant(orgId, async (tx) => {
      const r = await queueOutbound(tx, engine.connectors, input);
      const deferred = r.message.metadata?.deferredUntil;
      throw new RollBack(verdict({ deferredUntil: typeof deferred === 'string' ? deferred : null }));
    });
  } catch (err) {
    if (err instanceof RollBack) return err.verdict;
    const refusal = err instanceof Refused ? err.error : err;
    // A refusal (422) is the verdict; a request that is wrong (400, 404…) stays an error.
    if (refusal instanceof AppError && refusal.status === 422) {
      return verdict({ allow: false, code: refusal.code, message: refusal.message, details: refusal.details ?? null });
    }
    throw err;
  }
  throw new Error('unreachable: the dry run always rolls back');
}
