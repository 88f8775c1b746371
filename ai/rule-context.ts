import type { TenantTx } from '../core/db/tenant.ts';
import { latestEnrichment, type EnrichmentRecord, type SubjectType } from './store.ts';

/**
 * What rules see of AI enrichment (rules/README.md, "Context"): `message.ai` and
 * `conversation.ai`, the newest result for that message / conversation, flattened so a condition
 * reads `message.ai.intent == "emergency"` or `message.ai.sentiment.score < -0.5`.
 */
export interface RuleAi {
  intent: string | null;
  intentConfidence: number | null;
  sentiment: { label: string; score: number } | null;
  entities: { type: string; text: string }[];
  summary: string | null;
  provider: string;
  fallback: string | null;
}

function flatten(r: EnrichmentRecord): RuleAi {
  return {
    intent: r.result.intent?.id ?? null,
    intentConfidence: r.result.intent?.confidence ?? null,
    sentiment: r.result.sentiment ?? null,
    entities: (r.result.entities ?? []).map((e) => ({ type: e.type, text: e.text })),
    summary: r.result.summary ?? null,
    provider: r.provider,
    fallback: r.fallback,
  };
}

export async function ruleAi(tx: TenantTx, type: SubjectType, id: string): Promise<RuleAi | null> {
  const r = await latestEnrichment(tx, type, id);
  return r ? flatten(r) : null;
}
