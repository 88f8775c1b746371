import { createAjv } from '../../connectors/kit/ajv.ts';
import { ConnectorError } from '../../connectors/kit/index.ts';
import { providerError } from '../../core/connections/provider-error.ts';
import { integrationContext, withAuthRetry } from '../../core/connections/oauth.ts';
import { runtimeOf } from '../../core/connections/runtime.ts';
import type { ConnectionRow } from '../../core/connections/model.ts';
import type { TenantTx } from '../../core/db/tenant.ts';
import { AppError } from '../../core/errors.ts';
import type { ActionEnv, ExternalAction } from './types.ts';

/**
 * invoke: calls a connector action (capability actions.invoke) on one of the org's connections,
 * named by id (`connection`) or by connector (`connector`: its oldest active connection). The
 * result is stored with the execution and offered to the rule's LATER actions as results.<as>
 * (e.g. Stripe create_payment_link as payLink → "Pay here: {{results.payLink.url}}"). The input
 * is validated against the action's inputSchema; the handler also receives `idempotencyKey`
 * (stable per execution and action index) to deduplicate on the provider's side where it can.
 */
export interface InvokeAction {
  type: 'invoke';
  connection?: string;
  connector?: string;
  action: string;
  input?: Record<string, unknown>;
  as?: string;
}

const ajv = createAjv();

const unprocessable = (field: string, reason: string) => new AppError('unprocessable', `invoke: ${reason}.`, { details: [{ field, reason }] });

async function findConnection(tx: TenantTx, a: InvokeAction): Promise<ConnectionRow> {
  const q = tx.trx('connections').where({ status: 'active' });
  if (a.connection) {
    if (!/^[0-9a-f-]{36}$/i.test(a.connection)) throw unprocessable('/connection', 'is not a connection id');
    q.where({ id: a.connection });
  } else q.where({ connector_id: a.connector }).orderBy('created_at').orderBy('id');
  const row: ConnectionRow | undefined = await q.first();
  if (!row) throw unprocessable(a.connection ? '/connection' : '/connector', 'no such active connection');
  return row;
}

async function resolve(a: InvokeAction, env: ActionEnv, tx: TenantTx) {
  const rt = runtimeOf(tx, env.engine.connectors, await findConnection(tx, a));
  const handler = rt.def.capabilities.includes('actions.invoke') ? rt.def.actions?.[a.action] : undefined;
  if (!handler) throw unprocessable('/action', `connector ${rt.def.id} has no action "${a.action}"`);
  if (handler.inputSchema) {
    const validate = ajv.compile(handler.inputSchema);
    if (!validate(a.input ?? {})) {
      const e = validate.errors![0];
      throw unprocessable(`/input${e.instancePath}`, e.message ?? 'is invalid');
    }
  }
  return { rt, handler };
}

export const invoke: ExternalAction<InvokeAction> = {
  type: 'invoke',
  mode: 'external',
  description: 'Call a connector action (e.g. stripe create_payment_link); its result is results.<as> for later actions.',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'action'],
    oneOf: [{ required: ['connection'] }, { required: ['connector'] }],
    properties: {
      type: { const: 'invoke' },
      connection: { type: 'string', minLength: 1, maxLength: 200 },
      connector: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$' },
      action: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$' },
      input: { type: 'object', maxProperties: 50 },
      as: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' },
    },
  },
  async preview(a, env, tx) {
    const { rt } = await resolve(a, env, tx);
    return { connectionId: rt.row.id, connector: rt.def.id, action: a.action, input: a.input ?? {}, as: a.as ?? null };
  },
  async run(a, env) {
    const { rt, handler } = await env.engine.tenant(env.context.org.id, (tx) => resolve(a, env, tx));
    const ctx = await integrationContext(env.engine, env.context.org.id, rt);
    let value: Record<string, unknown>;
    try {
      value = await withAuthRetry(ctx, () => handler.run({ ...a.input, idempotencyKey: env.idempotencyKey }, ctx));
    } catch (err) {
      // A retryable failure is thrown as it is, so the rules job retries the execution.
      if (ConnectorError.is(err) && !err.retryable) throw providerError(`invoke ${rt.def.id}.${a.action}`, err);
      throw err;
    }
    return { log: { connectionId: rt.row.id, action: a.action, as: a.as ?? null }, ...(a.as ? { result: { as: a.as, value } } : {}) };
  },
};
