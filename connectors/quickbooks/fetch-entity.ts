import { classifyHttpError, ConnectorError, type ActionHandler, type IntegrationContext } from '../kit/index.ts';
import { apiBase, DEFAULT_MINOR_VERSION, type QuickBooksConfig, type QuickBooksSecrets } from './schemas.ts';

export type QuickBooksApiCtx = IntegrationContext<QuickBooksConfig, QuickBooksSecrets>;

/** The entities the webhook mapping emits events for; their REST resource names are lowercase. */
const ENTITIES = ['Invoice', 'Payment', 'Customer'] as const;

const inputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['entity', 'id'],
  properties: {
    entity: { type: 'string', enum: [...ENTITIES], description: 'The entity name as in the webhook (event.data.entity).' },
    id: { type: 'string', pattern: '^[0-9]{1,32}$', description: 'The entity id (event.data.id).' },
  },
} as const;

/**
 * GET {base}/v3/company/{realmId}/{entity}/{id}: a webhook carries ids only, so a rule that needs
 * the invoice's balance or the customer's phone fetches the entity first. A 401 is auth_failed:
 * the engine then refreshes the token (it owns the OAuth tokens) and the caller's retry succeeds.
 */
export async function fetchEntity(ctx: QuickBooksApiCtx, entity: string, id: string): Promise<Record<string, unknown>> {
  if (!ctx.auth) throw new ConnectorError('auth_failed', 'QuickBooks needs the engine-managed OAuth token (connect the company first).', { retryable: false });
  if (!(ENTITIES as readonly string[]).includes(entity)) throw new ConnectorError('invalid_request', `fetch_entity: unsupported entity "${entity}"`);
  if (!/^[0-9]{1,32}$/.test(id)) throw new ConnectorError('invalid_request', 'fetch_entity: id must be a QuickBooks numeric id');
  const base = apiBase[ctx.config.environment ?? 'production'];
  const url = new URL(`${base}/v3/company/${encodeURIComponent(ctx.config.realmId)}/${entity.toLowerCase()}/${id}`);
  url.searchParams.set('minorversion', String(ctx.config.minorVersion ?? DEFAULT_MINOR_VERSION));
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${await ctx.auth.accessToken()}`, accept: 'application/json' },
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (err) {
    throw new ConnectorError('vendor_unavailable', `QuickBooks could not be reached: ${(err as Error).message}`, { cause: err });
  }
  if (!res.ok) {
    // The body is not echoed: Intuit's fault messages can quote the entity's data.
    await res.text().catch(() => '');
    throw classifyHttpError(res.status, Object.fromEntries(res.headers), { message: `QuickBooks answered HTTP ${res.status} to GET ${entity} ${id}` });
  }
  const body = (await res.json()) as Record<string, unknown>;
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
