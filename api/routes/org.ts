import type { Knex } from 'knex';
import { defineRoute } from '../http/route.ts';
import { brandingViewSchema, effectiveBranding } from '../../core/platforms/branding.ts';
import { mergeSettings, noteOrgSettings, orgSettingsSchema, withDefaults } from '../../core/org-settings.ts';
import { appendEvent } from '../../core/events/events.ts';
import { recordAudit } from '../../core/audit/record.ts';
import { auditBy } from '../http/audit.ts';

const orgSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    object: { const: 'org' },
    name: { type: 'string' },
    settings: orgSettingsSchema,
    branding: { ...brandingViewSchema, description: "The effective branding: the org's settings.branding over its platform's default" },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

const view = async (trx: Knex, row: any) => ({
  id: row.id,
  object: 'org',
  name: row.name,
  settings: withDefaults(row.settings),
  branding: await effectiveBranding(trx, row.id),
  createdAt: new Date(row.created_at).toISOString(),
});

export const orgRoutes = [
  defineRoute({
    method: 'get',
    path: '/v1/org',
    summary: 'The org this API key belongs to, with its settings (defaults filled in)',
    tag: 'Org',
    scope: 'admin',
    response: orgSchema,
    handler: async ({ engine, auth }) =>
      engine.tenant(auth.orgId, async (tx) => view(tx.trx, await tx.trx('orgs').where({ id: tx.orgId }).first())),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/org/settings-schema',
    summary: 'The JSON Schema of org settings (sections, defaults, limits, descriptions): PATCH /v1/org validates with it, forms render from it',
    tag: 'Org',
    scope: 'admin',
    response: { type: 'object', description: 'A JSON Schema (draft 7)' },
    handler: async () => orgSettingsSchema,
  }),
  defineRoute<{ name?: string; settings?: Record<string, unknown> }>({
    method: 'patch',
    path: '/v1/org',
    summary: 'Rename the org or change settings (keys given are replaced; null resets one to its default)',
    tag: 'Org',
    scope: 'admin',
    body: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        settings: { type: 'object', description: 'A partial settings object; see the org schema for every key.' },
      },
    },
    response: orgSchema,
    handler: async ({ engine, auth, body, req }) =>
      engine.tenant(auth.orgId, async (tx) => {
        const row = await tx.trx('orgs').where({ id: tx.orgId }).forUpdate().first();
        const settings = body.settings ? mergeSettings(row.settings ?? {}, body.settings) : row.settings;
        const [updated] = await tx.trx('orgs')
          .where({ id: tx.orgId })
          .update({ name: body.name ?? row.name, settings })
          .returning('*');
        noteOrgSettings(tx.trx, tx.orgId, updated.settings);
        const changes = { ...(body.name ? { name: true } : {}), ...(body.settings ? { settings: Object.keys(body.settings) } : {}) };
        await appendEvent(tx, { type: 'org.updated', subjectId: tx.orgId, data: { changes } });
        await recordAudit(tx, { ...auditBy({ auth, req }), action: 'org.updated', target: { type: 'org', id: tx.orgId }, details: changes });
        return view(tx.trx, updated);
      }),
  }),
];
