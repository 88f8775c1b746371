import type { ConnectorContext, SimulatedRequest, SimulatedStatus } from '../kit/index.ts';
import type { SinchConfig, SinchSecrets } from './schemas.ts';

/**
 * The per-recipient delivery report Sinch would post for a status (sandbox connections), in
 * Sinch's own status words and codes. No recipient number: the manifest does not read it and a
 * sandbox callback carries no personal data.
 */
const REPORTS: Record<SimulatedStatus['status'], { status: string; code: number }> = {
  queued: { status: 'Queued', code: 400 },
  sent: { status: 'Dispatched', code: 401 },
  received: { status: 'Dispatched', code: 401 },
  delivered: { status: 'Delivered', code: 0 },
  read: { status: 'Delivered', code: 0 },
  undelivered: { status: 'Failed', code: 404 },
  failed: { status: 'Aborted', code: 402 },
  blocked: { status: 'Aborted', code: 402 },
};

export function simulateStatus(s: SimulatedStatus, ctx: ConnectorContext<SinchConfig, SinchSecrets>): SimulatedRequest {
  const report = {
    type: 'recipient_delivery_report_sms',
    batch_id: s.providerMessageId,
    ...REPORTS[s.status],
    at: new Date(ctx.now?.() ?? Date.now()).toISOString(),
  };
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(report) };
}
