import type { Engine } from '../core/engine.ts';
import type { TenantTx } from '../core/db/tenant.ts';
import type { OrgSettings } from '../core/org-settings.ts';
import { runtimeOf } from '../core/connections/runtime.ts';
import { baaEligible } from '../core/compliance/hipaa.ts';
import type { ConnectionRow } from '../core/connections/model.ts';
import type { OpenAiConfig, OpenAiSecrets } from '../connectors/openai/client.ts';
import type { AiSettings } from './settings.ts';
import { monthUsage } from './store.ts';

/**
 * Which provider an enrichment may use, decided inside the tenant transaction before any text
 * leaves: the local provider, or the org's AI connection unless a rule forbids it. A refusal is
 * a reason code recorded with the result (`fallback`), never an error: enrichment still happens,
 * locally.
 */
export type Plan =
  | { kind: 'local'; fallback: null | 'hipaa_not_baa' | 'budget_exhausted' }
  | { kind: 'external'; connectionId: string; config: OpenAiConfig; secrets: OpenAiSecrets; timeoutMs: number };

export async function planProvider(engine: Engine, tx: TenantTx, settings: OrgSettings, ai: AiSettings): Promise<Plan> {
  if (ai.provider === 'local') return { kind: 'local', fallback: null };
  const row: ConnectionRow | undefined = await tx.trx('connections').where({ status: 'active', connector_id: 'openai', sandbox: false }).orderBy('created_at').orderBy('id').first();
  if (!row) return { kind: 'local', fallback: null };
  const rt = runtimeOf(tx, engine.connectors, row);
  const config = rt.ctx.config as unknown as OpenAiConfig;
  // HIPAA: PHI may reach only an endpoint under a Business Associate Agreement, per connection
  // (refused at creation too; checked again here for a connection made before HIPAA mode was on).
  if (settings.hipaaMode && !baaEligible(rt.def, undefined, config)) return { kind: 'local', fallback: 'hipaa_not_baa' };
  if (ai.monthlyTokenBudget !== null && (await monthUsage(tx)).totalTokens >= ai.monthlyTokenBudget) return { kind: 'local', fallback: 'budget_exhausted' };
  return { kind: 'external', connectionId: row.id, config, secrets: rt.ctx.secrets as unknown as OpenAiSecrets, timeoutMs: ai.timeoutMs };
}
