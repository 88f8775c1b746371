import type { EngineEvent } from '../events/events.ts';
import type { OrgSettings } from '../org-settings.ts';
import { redactForEgress } from '../compliance/redaction.ts';
import { thinEventData } from '../compliance/hipaa.ts';

/**
 * The body a subscriber receives. `sequence` is the event's seq in the org's feed: it increases
 * with every event, so a receiver can put deliveries back in order (retries and parallel
 * conversations arrive out of order; within one conversation and endpoint we also send in order).
 */
export interface WebhookPayload {
  id: string;
  type: string;
  createdAt: string;
  orgId: string;
  conversationId: string | null;
  subjectId: string | null;
  sequence: number;
  data: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Message and conversation text through the safe-mode egress redaction (a copy; the event is untouched). */
function redactTexts(data: Obj, settings: OrgSettings): Obj {
  const out: Obj = { ...data };
  for (const key of ['message', 'conversation']) {
    const part = out[key];
    if (!isObj(part)) continue;
    const copy: Obj = { ...part };
    for (const field of ['body', 'subject']) {
      if (typeof copy[field] === 'string') copy[field] = redactForEgress(copy[field] as string, settings.safeMode);
    }
    out[key] = copy;
  }
  return out;
}

export function buildPayload(event: EngineEvent, seq: string | number, settings: OrgSettings): WebhookPayload {
  // HIPAA mode: the same thin data as the org's feed; content is read through the API, where reads are audited.
  const data = settings.hipaaMode === true ? thinEventData(event.data) : settings.safeMode?.enabled ? redactTexts(event.data, settings) : event.data;
  return {
    id: event.id,
    type: event.type,
    createdAt: event.createdAt,
    orgId: event.orgId,
    conversationId: event.conversationId,
    subjectId: event.subjectId,
    sequence: Number(seq),
    data,
  };
}
