import { actionRegistry } from './actions/index.ts';
import { ALLOWED_OPERATIONS, CUSTOM_OPERATIONS } from './operators.ts';
import { MESSAGE_STATUSES } from '../core/messages/status.ts';
import { CONVERSATION_STATUSES } from '../core/conversations/models.ts';
import { WEEKDAYS } from './hours.ts';

/**
 * What a rule can be written with, as data for an editor (GET /v1/rules/vocabulary): the built-in
 * triggers with the feed event type each one reads, the context fields a condition or template
 * can name (rules/context.ts is the source; rules/README.md documents the same), the operators
 * and every action with its JSON Schema. External events (`<connector>.<type>`) add their own
 * `event.data.*` fields, which an editor reads off a real event of that type in the feed.
 */
export type FieldType = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'string|null';
/** Which part of the context a field lives in; `message`, `conversation` and `contact` exist only for events that name one. */
export type FieldScope = 'event' | 'message' | 'conversation' | 'contact' | 'org' | 'time' | 'rule';

export interface ContextField {
  path: string;
  type: FieldType;
  scope: FieldScope;
  description: string;
  enum?: readonly string[];
}

export interface TriggerInfo {
  trigger: string;
  /** The event type stored in the feed (/v1/sync `types`), and the message direction when the trigger narrows it. */
  eventType: string;
  direction?: 'inbound' | 'outbound';
  description: string;
  /** Context sections present for this trigger's events. */
  scopes: FieldScope[];
}

const always: FieldScope[] = ['event', 'org', 'time', 'rule'];
const messageScopes: FieldScope[] = [...always, 'message', 'conversation', 'contact'];

export const TRIGGERS: TriggerInfo[] = [
  { trigger: 'message.received', eventType: 'message.created', direction: 'inbound', description: 'An inbound message arrived (any channel).', scopes: messageScopes },
  { trigger: 'message.sent', eventType: 'message.created', direction: 'outbound', description: 'An outbound message was queued.', scopes: messageScopes },
  { trigger: 'message.created', eventType: 'message.created', description: 'Any new message, inbound or outbound.', scopes: messageScopes },
  { trigger: 'message.status_changed', eventType: 'message.status_changed', description: 'A message moved to sent, delivered, failed …', scopes: messageScopes },
  { trigger: 'conversation.created', eventType: 'conversation.created', description: 'A new conversation started.', scopes: [...always, 'conversation', 'contact'] },
  { trigger: 'conversation.updated', eventType: 'conversation.updated', description: 'A conversation was tagged, assigned, closed or its metadata changed.', scopes: [...always, 'conversation', 'contact'] },
  { trigger: 'contact.created', eventType: 'contact.created', description: 'A contact was created.', scopes: [...always, 'contact'] },
  { trigger: 'contact.updated', eventType: 'contact.updated', description: 'A contact changed.', scopes: [...always, 'contact'] },
  { trigger: 'message.enriched', eventType: 'message.enriched', description: 'AI enrichment of an inbound message stored (intent, sentiment, entities).', scopes: messageScopes },
  { trigger: 'conversation.enriched', eventType: 'conversation.enriched', description: 'AI enrichment of a conversation stored (summary …).', scopes: [...always, 'conversation', 'contact'] },
];

const DIRECTIONS = ['inbound', 'outbound'] as const;

export const CONTEXT_FIELDS: ContextField[] = [
  { path: 'event.type', type: 'string', scope: 'event', description: 'The event type as stored' },
  { path: 'event.trigger', type: 'string', scope: 'event', description: 'The trigger name the event answered to' },
  { path: 'event.createdAt', type: 'string', scope: 'event', description: 'When the event happened (ISO 8601)' },
  { path: 'event.conversationId', type: 'string|null', scope: 'event', description: 'The conversation the event is about' },
  { path: 'event.data', type: 'object', scope: 'event', description: 'The event payload (external events: the connector’s mapped data)' },
  { path: 'message.body', type: 'string', scope: 'message', description: 'The message text' },
  { path: 'message.subject', type: 'string|null', scope: 'message', description: 'Email subject' },
  { path: 'message.channel', type: 'string', scope: 'message', description: 'sms, email, whatsapp, webchat …' },
  { path: 'message.direction', type: 'string', scope: 'message', description: 'inbound or outbound', enum: DIRECTIONS },
  { path: 'message.status', type: 'string', scope: 'message', description: 'Delivery status', enum: MESSAGE_STATUSES },
  { path: 'message.errorCode', type: 'string|null', scope: 'message', description: 'Why a send failed or was refused' },
  { path: 'message.senderAddress', type: 'string|null', scope: 'message', description: 'Our number or address the message used' },
  { path: 'message.metadata', type: 'object', scope: 'message', description: 'Metadata given at send' },
  { path: 'message.ai.intent', type: 'string|null', scope: 'message', description: 'AI: the message’s intent, from the org’s intent list (settings.ai.intents)' },
  { path: 'message.ai.sentiment.score', type: 'number', scope: 'message', description: 'AI: sentiment from -1 (negative) to 1 (positive)' },
  { path: 'message.ai.sentiment.label', type: 'string', scope: 'message', description: 'AI: negative, neutral or positive', enum: ['negative', 'neutral', 'positive'] },
  { path: 'message.ai.entities', type: 'array', scope: 'message', description: 'AI: [{type: date|time|money|unit|address|person, text}]' },
  { path: 'conversation.ai.summary', type: 'string|null', scope: 'conversation', description: 'AI: the conversation’s newest summary' },
  { path: 'conversation.ai.intent', type: 'string|null', scope: 'conversation', description: 'AI: the conversation’s intent' },
  { path: 'conversation.channel', type: 'string', scope: 'conversation', description: 'The conversation’s channel' },
  { path: 'conversation.status', type: 'string', scope: 'conversation', description: 'open, snoozed or closed', enum: CONVERSATION_STATUSES },
  { path: 'conversation.subject', type: 'string|null', scope: 'conversation', description: 'Subject line' },
  { path: 'conversation.tags', type: 'array', scope: 'conversation', description: 'Tags on the conversation (lowercase)' },
  { path: 'conversation.assigneeId', type: 'string|null', scope: 'conversation', description: 'The assigned user (GET /v1/assignees), or null' },
  { path: 'conversation.metadata', type: 'object', scope: 'conversation', description: 'Property, unit, job, site … as the app set them' },
  { path: 'conversation.createdAt', type: 'string', scope: 'conversation', description: 'When it started' },
  { path: 'conversation.lastMessageAt', type: 'string', scope: 'conversation', description: 'Last message time' },
  { path: 'contact.id', type: 'string', scope: 'contact', description: 'The contact’s id' },
  { path: 'contact.name', type: 'string|null', scope: 'contact', description: 'The contact’s name' },
  { path: 'contact.timezone', type: 'string|null', scope: 'contact', description: 'IANA zone, when known' },
  { path: 'contact.attributes', type: 'object', scope: 'contact', description: 'Custom attributes' },
  { path: 'contact.handles', type: 'array', scope: 'contact', description: 'Handle kinds ({id, kind}); values are never in the context' },
  { path: 'contact.links', type: 'array', scope: 'contact', description: 'CRM and vertical links ({system, externalId, url, data})' },
  { path: 'org.name', type: 'string', scope: 'org', description: 'The org’s name' },
  { path: 'org.timezone', type: 'string', scope: 'org', description: 'The org’s zone' },
  { path: 'time.hour', type: 'number', scope: 'time', description: 'Hour of day, org-local (0–23)' },
  { path: 'time.weekday', type: 'string', scope: 'time', description: 'Weekday, org-local (sun, mon … sat)', enum: WEEKDAYS },
  { path: 'time.iso', type: 'string', scope: 'time', description: 'Now (ISO 8601)' },
  { path: 'causedBy.depth', type: 'number', scope: 'rule', description: 'How many rules led to this event (0 when none)' },
  { path: 'causedBy.ruleId', type: 'string', scope: 'rule', description: 'The rule that caused the event' },
];

export interface OperatorInfo {
  op: string;
  label: string;
  /** Arguments after the field: none, one value, a list of values, or a pattern. */
  takes: 'none' | 'value' | 'values' | 'pattern';
  custom?: boolean;
}

/** The comparisons a condition builder offers; everything else in ALLOWED_OPERATIONS stays reachable through the raw JSON. */
export const BUILDER_OPERATORS: OperatorInfo[] = [
  { op: '==', label: 'equals', takes: 'value' },
  { op: '!=', label: 'does not equal', takes: 'value' },
  { op: '>', label: 'is greater than', takes: 'value' },
  { op: '>=', label: 'is at least', takes: 'value' },
  { op: '<', label: 'is less than', takes: 'value' },
  { op: '<=', label: 'is at most', takes: 'value' },
  { op: 'in', label: 'contains text', takes: 'value' },
  { op: 'contains_any_word', label: 'contains any of the words', takes: 'values', custom: true },
  { op: 'matches', label: 'matches the pattern', takes: 'pattern', custom: true },
  { op: '!!', label: 'is present', takes: 'none' },
  { op: '!', label: 'is empty', takes: 'none' },
];

export function vocabulary() {
  return {
    object: 'rule_vocabulary',
    triggers: TRIGGERS,
    fields: CONTEXT_FIELDS,
    operators: BUILDER_OPERATORS,
    allOperations: [...ALLOWED_OPERATIONS].sort(),
    customOperations: CUSTOM_OPERATIONS,
    actions: [...actionRegistry.values()].map((a) => ({ type: a.type, description: a.description, mode: a.mode, schema: a.schema })),
  };
}
