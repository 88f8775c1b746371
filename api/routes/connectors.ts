import { defineRoute } from '../http/route.ts';

/** The connector catalog: what can be installed, with the schemas the dashboard renders install forms from. */
const versionSchema = {
  type: 'object',
  properties: {
    version: { type: 'string' },
    major: { type: 'integer' },
    capabilities: { type: 'array', items: { type: 'string' } },
    channels: { type: 'array', items: { type: 'string' } },
    baaEligible: { type: 'boolean', description: 'The provider signs a BAA: usable in HIPAA mode (WhatsApp content excepted)' },
    oauth: { type: 'boolean', description: 'Authorized through an OAuth consent (/v1/connections/:id/oauth/authorize) rather than pasted secrets' },
    configSchema: { type: 'object' },
    secretsSchema: { type: 'object' },
  },
};

const connectorSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { const: 'connector' },
    kind: { type: 'string', enum: ['channel', 'crm', 'vertical', 'payments', 'ai'] },
    displayName: { type: 'string' },
    description: { type: 'string' },
    icon: { type: 'string' },
    versions: { type: 'array', items: versionSchema, description: 'Newest first; a connection pins a major version' },
  },
};

export const connectorRoutes = [
  defineRoute({
    method: 'get',
    path: '/v1/connectors',
    summary: 'The installable connectors, their versions, capabilities and config / secrets schemas',
    tag: 'Connections',
    scope: 'connections:read',
    response: { type: 'object', properties: { data: { type: 'array', items: connectorSchema } } },
    handler: async ({ engine }) => ({
      data: engine.connectors.catalog().map((entry) => ({
        object: 'connector',
        ...entry,
        versions: entry.versions.map((v) => {
          const def = engine.connectors.get(entry.id, v.version);
          return { ...v, channels: def?.channels ?? [], baaEligible: !!def?.baaEligible, oauth: !!def?.oauth };
        }),
      })),
    }),
  }),
];
