import { setTimeout as sleep } from 'node:timers/promises';
import { sendOutcomes } from '../metrics.ts';
import { ConnectorError, type SendResult } from '../../connectors/kit/index.ts';
import type { Engine } from '../engine.ts';
import type { EventJob } from '../events/dispatch.ts';
import { createLogger } from '../logger.ts';
import { backoffMs } from '../queue/backoff.ts';
import { RetryLater, type Job } from '../queue/queue.ts';
import type { Pacer } from '../ratelimit.ts';
import { replayUnmatched } from '../connections/replay.ts';
import { applyStatus } from '../messages/status.ts';
import { markSent } from '../messages/sent.ts';
import { planSend } from './plan.ts';
import { normalizeAddress } from '../conversations/channels.ts';
import { recordAudit, SYSTEM_ACTOR } from '../audit/record.ts';
import { recordOptOutFromProvider } from '../compliance/consent-send.ts';
import { SEND_ATTEMPTS } from './policy.ts';
import { sandboxMessageId, scheduleSandboxCallbacks } from './sandbox.ts';

const log = createLogger('send');

/**
 * The send job: one outbound message.created event → one provider call. Idempotent: a message
 * that is no longer queued is left alone. The sender's pace is kept before the call; errors are
 * sorted by the connector's ConnectorError (retryable → later, permanent → failed with the
 * provider's code, an opted-out recipient → failed with recipient_opted_out).
 */
export type SendEngine = Pick<Engine, 'tenant' | 'connectors' | 'config' | 'queue' | 'db'>;

export async function runSendJob(engine: SendEngine, pacer: Pacer, job: Job<EventJob>): Promise<void> {
  const { orgId, subjectId: messageId } = job.data;
  if (!messageId) return;
  const plan = await engine.tenant(orgId, (tx) => planSend(tx, engine.connectors, engine.config.publicUrl, messageId));
  if (!plan) return;
  if (plan.kind === 'fail') return fail(engine, orgId, messageId, plan.errorCode, plan.errorMessage);
  if (plan.kind === 'refuse') {
    const { decision } = plan;
    // Quiet hours: the message stays queued and the job comes back when the window opens.
    sendOutcomes.inc({ connector: plan.connector, outcome: decision.defer ? 'deferred' : 'refused' });
    if (decision.defer) throw new RetryLater(Math.max(1_000, decision.defer.getTime() - Date.now()));
    const reason = decision.reasons[0]!;
    return engine.tenant(orgId, async (tx) => {
      await applyStatus(tx, { messageId }, 'blocked', { errorCode: reason.code, errorMessage: reason.message });
      await recordAudit(tx, { actor: SYSTEM_ACTOR, action: 'message.refused', target: { type: 'message', id: messageId }, details: { code: reason.code, channel: plan.channel, at: 'send' } });
    });
  }
  const { rt, message, sender } = plan;
  if (sender) {
    const wait = await pacer.reserve(`sender:${sender.id}`, sender.messagesPerSecond);
    if (wait > 0) await sleep(wait);
  }
  let result: SendResult;
  try {
    // A sandbox send records everything a real one would (its sender address, an email's
    // Message-ID) without the provider call; a message the connector cannot map fails alike.
    result = rt.row.sandbox
      ? { providerMessageId: sandboxMessageId(), ...(await rt.def.preview?.(message, rt.ctx)) }
      : await rt.def.send!(message, rt.ctx);
  } catch (err) {
    return onSendError(engine, job, messageId, rt.def.id, err);
  }
  const { providerMessageId } = result;
  const connectionId = rt.row.id;
  // The address the provider reports it used, else the one we asked for: the conversation takes
  // it, so the customer's reply to that number threads here (no registered sender needed).
  const senderAddress = normalizeAddress(result.senderAddress ?? message.from?.address);
  await engine.tenant(orgId, (tx) =>
    markSent(tx, messageId, {
      providerMessageId,
      connectionId,
      senderAddress,
      connector: rt.def.id,
      conversationHasSender: plan.conversationHasSender,
      ...(result.status ? { status: result.status } : {}),
      ...(result.email ? { rfcMessageId: result.email.messageId } : {}),
    }),
  );
  log.info({ messageId, connectionId, connector: rt.def.id, sandbox: rt.row.sandbox }, 'message sent');
  sendOutcomes.inc({ connector: rt.def.id, outcome: rt.row.sandbox ? 'sandbox' : 'sent' });
  if (rt.row.sandbox) await scheduleSandboxCallbacks(engine, { orgId, connectionId, providerMessageId });
  else await replayUnmatched(engine, orgId, connectionId, providerMessageId);
}

async function onSendError(engine: SendEngine, job: Job<EventJob>, messageId: string, connector: string, err: unknown): Promise<void> {
  const ce = ConnectorError.is(err) ? err : undefined;
  // Anything but a ConnectorError is a connector bug or an unexpected failure: retried like an outage.
  const retryable = ce ? ce.retryable : true;
  log.warn({ messageId, connector, attempt: job.attempt, code: ce?.code ?? 'unexpected', providerCode: ce?.providerCode, retryable }, 'send failed');
  const retry = retryable && job.attempt < SEND_ATTEMPTS;
  sendOutcomes.inc({ connector, outcome: retry ? 'retry' : 'failed' });
  if (retry) throw new RetryLater(ce?.retryAfterMs ?? backoffMs(job.attempt));
  const errorCode = !ce ? 'send_failed' : ce.code === 'recipient_opted_out' ? 'recipient_opted_out' : (ce.providerCode ?? ce.code);
  const errorMessage = ce ? `${ce.code}: ${ce.message}` : 'The connector failed unexpectedly.';
  if (errorCode === 'recipient_opted_out') {
    // The provider knows of an opt-out we did not (e.g. Twilio 21610): the ledger learns it too.
    return engine.tenant(job.data.orgId, async (tx) => {
      await applyStatus(tx, { messageId }, 'failed', { errorCode, errorMessage });
      await recordOptOutFromProvider(tx, messageId, connector, ce?.providerCode ?? null);
    });
  }
  await fail(engine, job.data.orgId, messageId, errorCode, errorMessage);
}

async function fail(engine: SendEngine, orgId: string, messageId: string, errorCode: string, errorMessage: string): Promise<void> {
  await engine.tenant(orgId, (tx) => applyStatus(tx, { messageId }, 'failed', { errorCode, errorMessage }));
}
