import { v7 as uuidv7 } from 'uuid';
import type { ProviderTemplate } from '../../connectors/kit/index.ts';
import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { appendEvent } from '../events/events.ts';
import { findConnectionRow } from '../connections/service.ts';
import type { MessageTemplate } from '../send/template.ts';
import { hookOf, loadProvisioner, viaProvider, type ProvisioningEngine } from './context.ts';

/**
 * Message templates (WhatsApp) as the provider last reported them. A send naming a template of a
 * connection whose templates were synced is checked before it is queued: the template must exist,
 * be approved (a template Meta rejected or paused is refused here, not by Meta later) and receive
 * exactly the variables it declares. A connection never synced is not checked (templates may be
 * named the provider's way without a sync, as before).
 */
export interface TemplateRow {
  id: string;
  connection_id: string;
  provider_id: string;
  name: string;
  language: string;
  category: string | null;
  status: string;
  components: unknown[];
  variables: string[];
  synced_at: Date | string;
}

export interface TemplateView {
  id: string;
  object: 'template';
  connectionId: string;
  providerId: string;
  name: string;
  language: string;
  category: string | null;
  status: string;
  components: unknown[];
  variables: string[];
  syncedAt: string;
}

const view = (r: TemplateRow): TemplateView => ({
  id: r.id,
  object: 'template',
  connectionId: r.connection_id,
  providerId: r.provider_id,
  name: r.name,
  language: r.language,
  category: r.category,
  status: r.status,
  components: r.components,
  variables: r.variables,
  syncedAt: new Date(r.synced_at).toISOString(),
});

export async function syncTemplates(engine: ProvisioningEngine, orgId: string, connectionId: string): Promise<{ data: TemplateView[]; changed: number; removed: number }> {
  const p = await loadProvisioner(engine, orgId, connectionId);
  const read = hookOf(p, 'templates');
  const found = await viaProvider(p, () => read(p.ctx));
  return engine.tenant(orgId, (tx) => storeTemplates(tx, connectionId, found));
}

async function storeTemplates(tx: TenantTx, connectionId: string, found: ProviderTemplate[]) {
  const existing: TemplateRow[] = await tx.trx('channel_templates').where({ connection_id: connectionId }).forUpdate();
  const key = (t: { name: string; language: string }) => `${t.name}\u0000${t.language}`;
  const before = new Map(existing.map((r) => [key(r), r]));
  let changed = 0;
  for (const t of found) {
    const fields = {
      provider_id: t.id,
      category: t.category,
      status: t.status,
      components: JSON.stringify(t.components ?? []),
      variables: JSON.stringify(t.variables ?? []),
      synced_at: tx.trx.fn.now(),
    };
    const old = before.get(key(t));
    before.delete(key(t));
    if (old) {
      await tx.trx('channel_templates').where({ id: old.id }).update(fields);
      if (old.status === t.status) continue;
    } else {
      await tx.trx('channel_templates').insert({ id: uuidv7(), org_id: tx.orgId, connection_id: connectionId, name: t.name, language: t.language, ...fields });
    }
    changed++;
    await appendEvent(tx, {
      type: 'template.status_changed',
      subjectId: connectionId,
      data: { connectionId, name: t.name, language: t.language, status: t.status, previous: old?.status ?? null },
    });
  }
  // Deleted upstream: gone here too (a send naming it is then refused as unknown).
  const gone = [...before.values()].map((r) => r.id);
  if (gone.length) await tx.trx('channel_templates').whereIn('id', gone).delete();
  return { data: await listTemplates(tx, connectionId), changed, removed: gone.length };
}

export async function listTemplates(tx: TenantTx, connectionId: string): Promise<TemplateView[]> {
  await findConnectionRow(tx, connectionId);
  const rows: TemplateRow[] = await tx.trx('channel_templates').where({ connection_id: connectionId }).orderBy('name').orderBy('language');
  return rows.map(view);
}

/**
 * The send-time check. A template is named by its provider id, by name, or as "name:language" (the
 * WhatsApp connector's form); variables are compared by name ("1", "2"… for positional ones).
 */
export async function checkTemplate(tx: TenantTx, connectionId: string, template: MessageTemplate): Promise<void> {
  const rows: TemplateRow[] = await tx.trx('channel_templates').where({ connection_id: connectionId });
  if (!rows.length) return;
  const [name, language] = template.id.split(':');
  const row =
    rows.find((r) => r.provider_id === template.id) ??
    rows.find((r) => r.name === name && (language ? r.language === language : true));
  if (!row) {
    throw new AppError('validation_failed', `No template "${template.id}" on this connection (GET /v1/connections/${connectionId}/templates lists them; sync them after a change).`, {
      details: [{ field: '/template/id', reason: 'unknown template' }],
    });
  }
  if (row.status !== 'approved') {
    throw new AppError('template_not_approved', `The template ${row.name} (${row.language}) is ${row.status} at the provider: it cannot be sent.`, {
      details: [{ field: '/template/id', reason: `template is ${row.status}`, status: row.status }],
    });
  }
  const given = Object.keys(template.variables ?? {});
  const missing = row.variables.filter((v) => !given.includes(v));
  const unexpected = given.filter((v) => !row.variables.includes(v));
  if (missing.length || unexpected.length) {
    throw new AppError(
      'template_variables_mismatch',
      `The template ${row.name} (${row.language}) takes ${row.variables.length} variable(s) (${row.variables.join(', ') || 'none'}); ${given.length} were given.`,
      { details: [{ field: '/template/variables', reason: 'variables do not match the template', expected: row.variables, missing, unexpected }] },
    );
  }
}
