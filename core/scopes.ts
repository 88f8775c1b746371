/**
 * API key scopes. `admin` implies every other scope. Endpoints name the one scope they need.
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

export type Scope = (typeof SCOPES)[number];

export function hasScope(granted: readonly string[], needed: Scope): boolean {
  return granted.includes('admin') || granted.includes(needed);
}
