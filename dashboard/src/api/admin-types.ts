/** Shapes of the admin part of the /v1 API (rules, webhooks, keys, settings, audit) the admin screens read. */
import type { JsonLogic } from '../pages/rules/condition.ts';

export interface RuleAction {
  type: string;
  [k: string]: unknown;
}

export interface Rule {
  id: string;
  object: 'rule';
  version: number;
  name: string;
  description: string | null;
  trigger: string;
  condition: JsonLogic;
  actions: RuleAction[];
  priority: number;
  stopAfter: boolean;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface RuleVocabulary {
  triggers: { trigger: string; eventType: string; direction?: 'inbound' | 'outbound'; description: string; scopes: string[] }[];
  fields: { path: string; type: string; scope: string; description: string; enum?: string[] }[];
  operators: { op: string; label: string; takes: 'none' | 'value' | 'values' | 'pattern'; custom?: boolean }[];
  actions: { type: string; description: string; mode: string; schema: Record<string, any> }[];
}

export interface RuleTestResult {
  matched: boolean;
  triggerMatches: boolean;
  condition: { result: unknown };
  actions: { type: string; would?: Record<string, unknown>; error?: { code: string; message: string } }[];
}

export interface RuleExecution {
  id: string;
  ruleVersion: number;
  eventId: string;
  eventType: string;
  decision: string;
  status: string;
  error: unknown;
  attempts: number;
  createdAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
  /** Only in the answer to create. */
  secret?: string;
}

export interface Subscription {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  enabled: boolean;
  status: 'active' | 'disabled';
  disabledReason: string | null;
  failingSince: string | null;
  /** Seconds before each retry; null: the default schedule. */
  retrySchedule: number[] | null;
  createdAt: string;
  /** Only in the answers to create and rotate-secret. */
  secret?: string;
}

export interface DeliveryAttempt {
  attempt: number;
  startedAt: string;
  durationMs: number | null;
  statusCode: number | null;
  errorClass: string | null;
  outcome: string;
}

export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  attemptLog: DeliveryAttempt[];
}

export interface Org {
  id: string;
  name: string;
  settings: Record<string, any>;
}

export interface AuditEntry {
  id: string;
  position: number;
  actor: { type: string; id: string | null };
  action: string;
  target: { type: string; id: string | null } | null;
  details: Record<string, unknown>;
  createdAt: string;
}

export interface Consent {
  id: string;
  handleKind: string;
  channel: string;
  purpose: string;
  status: 'opted_in' | 'opted_out';
  source: string;
  recordedAt: string;
  recordedBy: string;
}

/** GET /v1/consents/current: a handle's latest entry for one channel and purpose. */
export interface ConsentState extends Consent {
  contactId: string | null;
  handleIndex: string;
  handle: { kind: string; value: string } | null;
}

export interface Sender {
  id: string;
  channel: string;
  address: string;
  registrationStatus: string;
  messagesPerSecond: number;
  brandId: string | null;
  campaignId: string | null;
}
