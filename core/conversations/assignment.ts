import type { TenantTx } from '../db/tenant.ts';
import { invalid } from '../errors.ts';

/**
 * Who a conversation is assigned to (a dashboard user of the org who can reply: owner, admin or
 * agent — a viewer cannot work a conversation) and its tags. The same rules hold whether the API,
 * the dashboard or a rule's `assign` / `tag` action makes the change.
 */
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const ASSIGNABLE_ROLES = ['owner', 'admin', 'agent'] as const;

/** One spelling per tag: trimmed, lowercased, inner spaces → '-'; duplicates dropped, order kept. */
export function normalizeTag(raw: string, field: string): string {
  const tag = raw.normalize('NFC').trim().toLowerCase().replace(/\s+/g, '-');
  if (!tag) throw invalid(field, 'a tag cannot be empty');
  if (tag.length > MAX_TAG_LENGTH) throw invalid(field, `a tag has at most ${MAX_TAG_LENGTH} characters`);
  if (/[\p{Cc}\p{Cf},]/u.test(tag)) throw invalid(field, 'a tag cannot hold commas or control characters');
  return tag;
}

export function normalizeTags(raw: string[], field = '/tags'): string[] {
  const tags = [...new Set(raw.map((t, i) => normalizeTag(t, `${field}/${i}`)))];
  if (tags.length > MAX_TAGS) throw invalid(field, `a conversation has at most ${MAX_TAGS} tags`);
  return tags;
}

export interface AssigneeView {
  id: string;
  object: 'assignee';
  name: string | null;
  email: string;
  role: string;
}

/** The org's users a conversation can be assigned to (enabled, role owner/admin/agent), by name. */
export async function listAssignees(tx: TenantTx): Promise<AssigneeView[]> {
  const rows = await tx.trx('users').select('id', 'name', 'email', 'role').whereNull('disabled_at').whereIn('role', [...ASSIGNABLE_ROLES]).orderByRaw('lower(coalesce(name, email))');
  return rows.map((u) => ({ id: u.id, object: 'assignee', name: u.name, email: u.email, role: u.role }));
}

/** Refuses an assignee who is not an enabled user of this org (RLS hides other orgs' users) able to reply. */
export async function assertAssignable(tx: TenantTx, userId: string, field = '/assigneeId'): Promise<void> {
  if (!UUID.test(userId)) throw invalid(field, 'must be a user id (uuid)');
  const user = await tx.trx('users').select('role', 'disabled_at').where({ id: userId }).first();
  if (!user || user.disabled_at) throw invalid(field, 'is not a user of this org');
  if (!(ASSIGNABLE_ROLES as readonly string[]).includes(user.role)) throw invalid(field, `a ${user.role} cannot be assigned conversations`);
}
