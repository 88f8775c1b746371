import type { Engine } from '../../core/engine.ts';
import type { Principal } from '../../core/orgs.ts';
import { withPlatformOrg } from '../../core/platforms/orgs.ts';
import { hasScope } from '../../core/scopes.ts';
import { AppError } from '../../core/errors.ts';

/**
 * `Switchboard-Org: <org id>`: a platform key acts on one of its orgs' API (Stripe-Account style).
 * The org is looked up with the platform's setting, so the database answers only for the
 * platform's own orgs: any other id — another platform's org, a deleted one, nonsense — is the
 * same 404. Acting on an org needs platform:orgs and grants that org's admin scope; audit entries
 * name the platform (api/http/audit.ts). An org key may name only its own org.
 */
export const ORG_HEADER = 'switchboard-org';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function scopeToOrg(engine: Engine, principal: Principal, header: string | undefined): Promise<Principal> {
  if (principal.suspended) {
    throw new AppError('org_suspended', 'This org is suspended: its API keys and sessions are refused until it is resumed.');
  }
  if (header === undefined) return principal;
  const orgId = header.trim().toLowerCase();
  const nowhere = new AppError('not_found', `No org "${header}" exists for this key.`, { details: [{ field: 'Switchboard-Org', reason: 'unknown org' }] });
  if (!principal.platformId) {
    if (orgId !== principal.orgId) throw nowhere;
    return principal;
  }
  if (!hasScope(principal.scopes, 'platform:orgs')) {
    throw new AppError('forbidden', 'Acting on an org (Switchboard-Org) needs the "platform:orgs" scope.', { details: { scope: 'platform:orgs' } });
  }
  if (!UUID.test(orgId)) throw nowhere;
  await withPlatformOrg(engine.db, principal.platformId, orgId, async () => undefined).catch((err) => {
    throw err instanceof AppError && err.code === 'not_found' ? nowhere : err;
  });
  return { orgId, keyId: principal.keyId, scopes: ['admin'], platformId: principal.platformId };
}
