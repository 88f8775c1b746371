import { ConnectorError, type ActionHandler } from '../kit/index.ts';
import { qbRead, type QuickBooksApiCtx, type QuickBooksClient, type QuickBooksDone } from './api.ts';
import { ENTITIES, type QuickBooksConfig, type QuickBooksEntity, type QuickBooksSecrets } from './schemas.ts';

export type { QuickBooksApiCtx };

const inputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['entity', 'id'],
  properties: {
    entity: { type: 'string', enum: [...ENTITIES], description: 'The entity name as in the webhook (event.data.entity).' },
    id: { type: 'string', pattern: '^[0-9]{1,32}$', description: 'The entity id (event.data.id).' },
  },
} as const;

/** node-quickbooks' getter of each entity: GET {base}/v3/company/{realmId}/{entity}/{id}. */
const readers: Record<QuickBooksEntity, (client: QuickBooksClient, id: string, done: QuickBooksDone) => void> = {
  Invoice: (client, id, done) => client.getInvoice(id, done),
  Payment: (client, id, done) => client.getPayment(id, done),
  Customer: (client, id, done) => client.getCustomer(id, done),
};

/**
 * GET {base}/v3/company/{realmId}/{entity}/{id} through node-quickbooks: a webhook carries ids only,
 * so a rule that needs the invoice's balance or the customer's phone fetches the entity first. A 401
 * is auth_failed: the engine then refreshes the token (it owns the OAuth tokens) and the caller's
 * retry succeeds.
 */
export async function fetchEntity(ctx: QuickBooksApiCtx, entity: string, id: string): Promise<Record<string, unknown>> {
  if (!(ENTITIES as readonly string[]).includes(entity)) throw new ConnectorError('invalid_request', `fetch_entity: unsupported entity "${entity}"`);
  if (!/^[0-9]{1,32}$/.test(id)) throw new ConnectorError('invalid_request', 'fetch_entity: id must be a QuickBooks numeric id');
  const body = await qbRead<Record<string, unknown>>(ctx, `${entity} ${id}`, (client, done) => readers[entity as QuickBooksEntity](client, id, done));
  const record = body[entity];
  if (!record || typeof record !== 'object') throw new ConnectorError('invalid_request', `QuickBooks answered without a ${entity} object`);
  return record as Record<string, unknown>;
}

export const fetchEntityAction: ActionHandler<QuickBooksConfig, QuickBooksSecrets> = {
  description: 'Reads the Invoice, Payment or Customer a webhook event names ({entity, id}) and returns it as {entity: {...}}.',
  inputSchema,
  async run(input, ctx) {
    const entity = String(input.entity);
    return { entity: await fetchEntity(ctx, entity, String(input.id)) };
  },
};
