import type { RouteContext } from './route.ts';
import type { NewAuditEntry } from '../../core/audit/record.ts';

/** Who did it and from where, for an audit entry written by an API route: the calling key, its IP, its user agent (hashed). */
export function auditBy(ctx: Pick<RouteContext, 'auth' | 'req'>): Pick<NewAuditEntry, 'actor' | 'context'> {
  return {
    // A dashboard session acts as its user; a platform key (through Switchboard-Org) as its platform; anything else is an API key.
    actor: (ctx.auth as { userId?: string }).userId
      ? { type: 'user', id: (ctx.auth as { userId?: string }).userId! }
      : ctx.auth.platformId
        ? { type: 'platform', id: ctx.auth.platformId }
        : { type: 'api_key', id: ctx.auth.keyId },
    context: { ip: ctx.req.ip ?? null, userAgent: ctx.req.get('user-agent') ?? null },
  };
}
