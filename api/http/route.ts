import type { Request, Response, Router } from 'express';
import { auditPiiRead, PII_READ_SCOPES } from '../../core/compliance/hipaa-audit.ts';
import type { Engine } from '../../core/engine.ts';
import type { Principal } from '../../core/orgs.ts';
import { hasScope, type Scope } from '../../core/scopes.ts';
import { AppError } from '../../core/errors.ts';
import { compile, type Schema } from './validate.ts';
import { registerOperation } from './openapi.ts';
import { withIdempotency, type Outcome } from './idempotency.ts';
import { recordActingOnOrg } from '../../core/platforms/audit.ts';

/**
 * One declaration per endpoint: method, path, scope, schemas and the handler. The declaration
 * drives validation, auth, idempotency and the OpenAPI document alike.
 */
export interface RouteSpec<B = any, Q = any> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** Express path, e.g. /v1/contacts/:id */
  path: string;
  summary: string;
  tag: string;
  /** Scope needed; null = no authentication (health, openapi). */
  scope: Scope | null;
  body?: Schema;
  query?: Schema;
  /** Schema of the success response, for the OpenAPI document. */
  response?: Schema;
  status?: number;
  /**
   * Runs after auth and before validation: an existence check whose 404 must win over a 400, so a
   * caller learns nothing about ids it cannot see from how its body is judged (platform org routes).
   */
  before?: (ctx: Pick<RouteContext, 'engine' | 'auth' | 'params'>) => Promise<void>;
  handler: (ctx: RouteContext<B, Q>) => Promise<unknown>;
}

export interface RouteContext<B = any, Q = any> {
  engine: Engine;
  auth: Principal;
  body: B;
  query: Q;
  params: Record<string, string>;
  req: Request;
  res: Response;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function defineRoute<B = any, Q = any>(spec: RouteSpec<B, Q>): RouteSpec<B, Q> {
  return spec;
}

export function mountRoutes(router: Router, engine: Engine, specs: RouteSpec[]): void {
  for (const spec of specs) {
    const checkBody = spec.body ? compile(spec.body, 'body') : undefined;
    const checkQuery = spec.query ? compile(spec.query, 'query') : undefined;
    registerOperation(spec);
    router[spec.method](spec.path, async (req: Request, res: Response) => {
      const auth = res.locals.auth as Principal | undefined;
      if (spec.scope !== null) {
        if (!auth) throw new AppError('unauthorized', 'Missing or invalid API key. Send Authorization: Bearer <key>.');
        if (!hasScope(auth.scopes, spec.scope)) {
          throw new AppError('forbidden', `This API key lacks the "${spec.scope}" scope.`, { details: { scope: spec.scope } });
        }
      }
      // Ids are UUIDs; anything else names nothing that exists (404, never a database error).
      for (const [name, value] of Object.entries(req.params as Record<string, string>)) {
        if (!UUID.test(value)) throw new AppError('not_found', `No ${name} "${value}" exists.`);
      }
      await spec.before?.({ engine, auth: auth!, params: req.params as Record<string, string> });
      const hasBody = spec.method !== 'get' && spec.method !== 'delete';
      const body = hasBody ? (req.body ?? {}) : undefined;
      checkBody?.(body);
      const query = { ...(req.query as Record<string, unknown>) };
      checkQuery?.(query);
      const ctx: RouteContext = { engine, auth: auth!, body, query, params: req.params as Record<string, string>, req, res };
      const run = async (): Promise<Outcome> => ({ status: spec.status ?? 200, body: await spec.handler(ctx) });
      // Idempotency keys are kept by the org called (or, for a platform's own calls, by the platform).
      const out = spec.method === 'post' && (auth?.orgId || auth?.platformId) ? await withIdempotency(engine, req, auth!, run) : await run();
      if (auth && spec.method === 'get' && spec.scope && PII_READ_SCOPES.has(spec.scope) && out.status < 300) {
        await auditPiiRead(engine, { orgId: auth.orgId, keyId: auth.keyId, userId: (auth as { userId?: string }).userId, route: spec.path, params: ctx.params, body: out.body, ip: req.ip, userAgent: req.get('user-agent') });
      }
      // A platform's change inside one of its orgs is also in the platform's own trail.
      if (auth?.platformId && auth.orgId && spec.method !== 'get' && out.status < 300 && !out.replayed) {
        const caller = { type: 'platform' as const, id: auth.platformId, keyId: auth.keyId, context: { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null } };
        await recordActingOnOrg(engine.db, caller, auth.orgId, { method: spec.method.toUpperCase(), route: spec.path, status: out.status });
      }
      if (out.replayed) res.setHeader('Idempotent-Replayed', 'true');
      // A handler that streamed its own representation (e.g. CSV) has answered already.
      if (res.headersSent) return;
      if (out.body === undefined) res.status(out.status === 200 ? 204 : out.status).end();
      else res.status(out.status).json(out.body);
    });
  }
}
