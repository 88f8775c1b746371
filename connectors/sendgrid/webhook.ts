import type { SimulatedRequest, SimulatedStatus } from '../kit/index.ts';

/**
 * The Event Webhook request SendGrid would post for a status (sandbox connections): a JSON array
 * with one event, in SendGrid's own words. No recipient address: the status rule does not read it
 * and a sandbox callback carries no personal data.
 */
const EVENTS: Record<SimulatedStatus['status'], Record<string, string>> = {
  queued: { event: 'processed' },
  sent: { event: 'processed' },
  received: { event: 'processed' },
  delivered: { event: 'delivered', response: '250 OK' },
  read: { event: 'open' },
  undelivered: { event: 'bounce', type: 'bounce', bounce_classification: 'Invalid Address', status: '5.1.1' },
  failed: { event: 'dropped', reason: 'Invalid' },
  blocked: { event: 'dropped', reason: 'Invalid' },
};

export function simulateStatus(s: SimulatedStatus, ctx: { now?: () => number }): SimulatedRequest {
  const event = {
    timestamp: Math.floor((ctx.now?.() ?? Date.now()) / 1000),
    sg_event_id: `sandbox-${s.providerMessageId}-${s.status}`,
    sg_message_id: `${s.providerMessageId}.sandbox.0`,
    ...EVENTS[s.status],
  };
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify([event]) };
}
