import type { TenantTx } from '../core/db/tenant.ts';
import type { EngineEvent } from '../core/events/events.ts';
import { AppError } from '../core/errors.ts';
import { resolveContactId } from '../core/identity/contacts.ts';
import { getContact } from '../core/identity/views.ts';
import { loadConversationView } from '../core/conversations/service.ts';
import { messageView, type MessageRow, type MessageView } from '../core/messages/views.ts';
import { orgSettings } from '../core/org-settings.ts';
import { isTimezone, localTime, type LocalTime } from './hours.ts';
import { rulesSettings, type RulesSettings } from './settings.ts';
import { ruleAi, type RuleAi } from '../ai/rule-context.ts';

/**
 * The object a rule's condition and templates see (documented in rules/README.md). Built FOR the
 * rule from views, never from internal rows: json-logic's `var` and the templates can walk any
 * property, so nothing here may be a secret, a ciphertext or a handle's value.
 */
export interface CausedBy {
  ruleId: string;
  depth: number;
}

export interface RuleContext {
  /** trigger: the rule vocabulary's name of the event (message.received…); type: as stored. */
  event: { id: string; type: string; trigger: string; data: Record<string, unknown>; createdAt: string; conversationId: string | null; subjectId: string | null };
  /** ai: the message's newest AI enrichment (null before one exists). */
  message?: Omit<MessageView, 'object' | 'providerMessageId' | 'connectionId' | 'errorMessage'> & { ai: RuleAi | null };
  conversation?: { id: string; channel: string; status: string; contactId: string | null; subject: string | null; metadata: Record<string, unknown>; assigneeId: string | null; tags: string[]; createdAt: string; lastMessageAt: string; ai: RuleAi | null };
  contact?: {
    id: string;
    name: string | null;
    timezone: string | null;
    attributes: Record<string, unknown>;
    handles: { id: string; kind: string }[];
    links: { system: string; externalId: string; url: string | null; data: Record<string, unknown> }[];
  };
  org: { id: string; name: string; timezone: string; businessHours: RulesSettings['businessHours']; sendingWindow: RulesSettings['sendingWindow'] };
  /** hour and weekday are the org's local ones. */
  time: { iso: string; hour: number; weekday: string; orgLocal: LocalTime; contactLocal: LocalTime | null };
  /** Results of earlier `invoke` actions of the same rule run, by their `as` name. */
  results: Record<string, unknown>;
  /** Set when a rule caused the event (loop protection). */
  causedBy: CausedBy | null;
}

/** The trigger names an event answers to: its own type, plus message.received / message.sent for message.created. */
export function triggersOf(e: { type: string; data: Record<string, unknown> }): string[] {
  if (e.type !== 'message.created') return [e.type];
  const direction = (e.data.message as { direction?: string } | undefined)?.direction;
  return direction === 'inbound' ? ['message.created', 'message.received'] : direction === 'outbound' ? ['message.created', 'message.sent'] : [e.type];
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function loadMessage(tx: TenantTx, id: string | null): Promise<MessageView | null> {
  if (!id || !UUID.test(id)) return null;
  const row: MessageRow | undefined = await tx.trx('messages').where({ id }).first();
  return row ? messageView(row, tx.crypto) : null;
}

async function loadContact(tx: TenantTx, id: string | null): Promise<RuleContext['contact'] | undefined> {
  if (!id || !UUID.test(id)) return undefined;
  try {
    const c = await getContact(tx, await resolveContactId(tx, id));
    return {
      id: c.id,
      name: c.name,
      timezone: c.timezone,
      attributes: c.attributes,
      handles: c.handles.map((h) => ({ id: h.id, kind: h.kind })),
      links: c.links.map((l) => ({ system: l.system, externalId: l.externalId, url: l.url, data: l.data })),
    };
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') return undefined;
    throw err;
  }
}

/** Which message an event is about: message.created carries it, status changes name it. */
function messageIdOf(e: EngineEvent): string | null {
  return str((e.data.message as { id?: unknown } | undefined)?.id) ?? str(e.data.messageId) ?? (e.type.startsWith('message.') ? e.subjectId : null);
}

/** The contact: the message's, the conversation's, the event's subject for contact.*, or data.contactId (external events). */
function contactIdOf(e: EngineEvent, m: MessageView | null, conversationContact: string | null): string | null {
  return m?.contactId ?? conversationContact ?? (e.type.startsWith('contact.') ? e.subjectId : null) ?? str(e.data.contactId) ?? str((e.data.contact as { id?: unknown } | undefined)?.id);
}

export async function buildContext(tx: TenantTx, e: EngineEvent, now = new Date()): Promise<RuleContext> {
  const m = await loadMessage(tx, messageIdOf(e));
  const conversationId = m?.conversationId ?? e.conversationId ?? str(e.data.conversationId);
  let conversation: RuleContext['conversation'];
  if (conversationId && UUID.test(conversationId)) {
    try {
      const c = await loadConversationView(tx, conversationId);
      conversation = { id: c.id, channel: c.channel, status: c.status, contactId: c.contactId, subject: c.subject, metadata: c.metadata, assigneeId: c.assigneeId, tags: c.tags, createdAt: c.createdAt, lastMessageAt: c.lastMessageAt, ai: await ruleAi(tx, 'conversation', c.id) };
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'not_found')) throw err;
    }
  }
  const contact = await loadContact(tx, contactIdOf(e, m, conversation?.contactId ?? null));
  const orgRow = await tx.trx('orgs').select('name').where({ id: tx.orgId }).first();
  const settings = rulesSettings(await orgSettings(tx.trx, tx.orgId));
  const orgZone = isTimezone(settings.timezone) ? settings.timezone : 'UTC';
  const orgLocal = localTime(now, orgZone);
  const contactZone = contact?.timezone && isTimezone(contact.timezone) ? contact.timezone : null;
  const causedBy = causedByOf(e, m);
  return {
    event: { id: e.id, type: e.type, trigger: triggersOf(e).at(-1)!, data: e.data, createdAt: e.createdAt, conversationId: e.conversationId, subjectId: e.subjectId },
    ...(m ? { message: { ...publicMessage(m), ai: await ruleAi(tx, 'message', m.id) } } : {}),
    ...(conversation ? { conversation } : {}),
    ...(contact ? { contact } : {}),
    org: { id: tx.orgId, name: orgRow?.name ?? '', timezone: orgZone, businessHours: settings.businessHours, sendingWindow: settings.sendingWindow },
    time: { iso: now.toISOString(), hour: orgLocal.hour, weekday: orgLocal.weekday, orgLocal, contactLocal: contactZone ? localTime(now, contactZone) : null },
    results: {},
    causedBy,
  };
}

function publicMessage(m: MessageView): Omit<NonNullable<RuleContext['message']>, 'ai'> {
  const { object: _o, providerMessageId: _p, connectionId: _c, errorMessage: _e, ...rest } = m;
  return rest;
}

/** Rule-caused events carry causedBy in their data (emit_event) or in the message's metadata (send_message). */
export function causedByOf(e: { data: Record<string, unknown> }, m: { metadata?: Record<string, unknown> } | null): CausedBy | null {
  const raw = (e.data.causedBy ?? m?.metadata?.causedBy) as { ruleId?: unknown; depth?: unknown } | undefined;
  if (!raw || typeof raw.ruleId !== 'string' || typeof raw.depth !== 'number') return null;
  return { ruleId: raw.ruleId, depth: raw.depth };
}
