import type { RouteContext } from './route.ts';
import type { NewAuditEntry } from '../../core/audit/record.ts';

/** Who is calling: a dashboard session acts as its user; a platform key (through Switchboard-Org) as its platform; anything else is an API key. */
export function actorOf(auth: RouteContext['auth']): NewAuditEntry['actor'] {
  const userId = (auth as { userId?: string }).userId;
  return userId ? { type: 'user', id: userId } : auth.platformId ? { type: 'platform', id: auth.platformId } : { type: 'api_key', id: auth.keyId };
}

/** The same caller as one string for a record's own "by" column (consents.recorded_by, legal holds, merges, rule versions): `user:<id>`, `platform:<id>` or `api_key:<id>`. */
export function actorRef(auth: RouteContext['auth']): string {
  const a = actorOf(auth);
  return `${a.type}:${a.id}`;
}

/** Who did it and from where, for an audit entry written by an API route: the caller, its IP, its user agent (hashed). */
export function auditBy(ctx: Pick<RouteContext, 'auth' | 'req'>): Pick<NewAuditEntry, 'actor' | 'context'> {
  return { actor: actorOf(ctx.auth), context: { ip: ctx.req.ip ?? null, userAgent: ctx.req.get('user-agent') ?? null } };
}
