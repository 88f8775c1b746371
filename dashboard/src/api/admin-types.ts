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
