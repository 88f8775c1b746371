/**
 * API key scopes. `admin` implies every org scope. Platform keys (core/platforms) carry platform
 * scopes instead, `platform:admin` implying the others; neither kind implies the other's, so an
 * org key never reaches /v1/platform and a platform key reaches an org only through Switchboard-Org.
 * Endpoints name the one scope they need.
 */
export const SCOPES = [
  'admin',
  'contacts:read',
  'contacts:write',
  'conversations:read',
  'conversations:write',
  'messages:read',
  'messages:send',
  'events:read',
  'connections:read',
  'connections:write',
] as const;

export const PLATFORM_SCOPES = ['platform:admin', 'platform:orgs', 'platform:usage', 'platform:sign-in'] as const;

export type OrgScope = (typeof SCOPES)[number];
export type PlatformScope = (typeof PLATFORM_SCOPES)[number];
export type Scope = OrgScope | PlatformScope;

const isPlatformScope = (s: string): s is PlatformScope => s.startsWith('platform:');

export function hasScope(granted: readonly string[], needed: Scope): boolean {
  if (isPlatformScope(needed)) return granted.includes('platform:admin') || granted.includes(needed);
  return granted.includes('admin') || granted.includes(needed);
}
