import type { ConnectorContext } from './types.ts';

/**
 * Provisioning: what a channel connector may do to the provider account itself (rather than carry
 * messages through it): find and buy numbers, point every webhook of the account at Switchboard,
 * read sender registration (10DLC) and message templates. Every hook is optional; the engine
 * offers an operation for a connection only when its connector implements it, and calls them
 * generically (core never asks which provider it is talking to). Sandbox connections never reach
 * these hooks: the engine simulates them.
 */

/** Where the provider must call us: the connection's receive URL serves inbound messages and status callbacks alike. */
export interface WebhookUrls {
  inbound: string;
  status: string;
}

/** The context of a provisioning hook: the connection's settings plus the URLs it must point at. */
export interface ProvisioningContext<C = Record<string, unknown>, S = Record<string, unknown>> extends ConnectorContext<C, S> {
  urls: WebhookUrls;
  /** The addresses the connection sends from (its senders): the numbers whose wiring is the connection's business. */
  numbers: string[];
}

export interface NumberSearch {
  /** ISO 3166-1 alpha-2, e.g. "US". */
  country: string;
  areaCode?: string;
  /** Digits (or the provider's pattern) the number should contain. */
  contains?: string;
  sms?: boolean;
  mms?: boolean;
  limit?: number;
}

export interface AvailableNumber {
  phoneNumber: string;
  friendlyName?: string;
  locality?: string | null;
  region?: string | null;
  capabilities: { sms: boolean; mms: boolean; voice: boolean };
}

/** A number the provider account holds (bought, ported or registered). */
export interface ProviderNumber {
  /** The provider's id of the number (Twilio PN…, Meta's phone number id). */
  id: string;
  phoneNumber: string;
  friendlyName?: string;
  capabilities?: { sms?: boolean; mms?: boolean; voice?: boolean };
  /** The messaging service / sender pool it belongs to, if any. */
  serviceId?: string | null;
  /** Provider quality signals (WhatsApp: quality rating GREEN/YELLOW/RED, messaging limit tier). */
  qualityRating?: string | null;
  messagingLimit?: string | null;
  /** Where the provider sends its inbound messages now, when it is set per number. */
  inboundUrl?: string | null;
}

export interface NumberInventory {
  numbers: ProviderNumber[];
  /** Messaging services / sender pools (Twilio Messaging Services), with where they point. */
  services?: { id: string; name: string; inboundUrl: string | null; statusUrl: string | null }[];
}

/**
 * One place of the provider account that must point at us (a number's SMS URL, a Messaging
 * Service's status callback, SendGrid's Inbound Parse host…) or must be true for traffic to flow
 * (a domain's MX record, a WABA subscription). `ok: false` items are what the health check reports.
 */
export interface WiringItem {
  /** Stable kind: phone_number, messaging_service, inbound_parse, event_webhook, domain_authentication, mx_record, app_subscription, callback_url… */
  kind: string;
  /** The provider's id or the name of the thing (a number, a hostname). */
  id: string;
  /** The setting at fault (smsUrl, statusCallback, url…), when it is one setting. */
  field?: string;
  expected?: string | null;
  actual?: string | null;
  ok: boolean;
  /** fix: true changed it (it now points at us). */
  fixed?: boolean;
  /** false: the engine cannot fix it (DNS records are the customer's): the message says what to do. */
  fixable?: boolean;
  message?: string;
  /**
   * Config the engine must store for the connection to keep working after a fix (SendGrid's Event
   * Webhook verification key, created by enabling signing): merged into the connection's config.
   */
  configUpdate?: Record<string, unknown>;
}

/** The 10DLC (or equivalent) status of one sender address as the provider reports it. */
export interface SenderRegistration {
  /** E.164 address. */
  address: string;
  status: 'unregistered' | 'pending' | 'approved' | 'rejected' | 'not_required';
  brandId?: string | null;
  campaignId?: string | null;
  /** The provider's own words (VERIFIED, IN_PROGRESS…), for the admin. */
  providerStatus?: string | null;
}

/** A provider-approved message template (WhatsApp). */
export interface ProviderTemplate {
  /** The provider's id of the template. */
  id: string;
  name: string;
  language: string;
  category: string | null;
  /** Canonical: approved | pending | rejected | paused | disabled (anything else: the provider's word, lowercased). */
  status: string;
  /** The provider's components, as it returned them. */
  components: unknown[];
  /** Variable names the template's body/header/buttons expect ("1", "2" or named), in order. */
  variables: string[];
}

export interface ProvisioningApi<C = Record<string, unknown>, S = Record<string, unknown>> {
  searchNumbers?(query: NumberSearch, ctx: ProvisioningContext<C, S>): Promise<AvailableNumber[]>;
  /** Buys the number and points it at ctx.urls in the same call. */
  buyNumber?(input: { phoneNumber: string }, ctx: ProvisioningContext<C, S>): Promise<ProviderNumber>;
  listNumbers?(ctx: ProvisioningContext<C, S>): Promise<NumberInventory>;
  /** Releases (gives back) a number: it stops receiving and cannot be recovered. */
  releaseNumber?(input: { phoneNumber: string }, ctx: ProvisioningContext<C, S>): Promise<{ released: boolean; id?: string }>;
  /** Reports every place that must point at ctx.urls; with fix, re-points the ones that do not. */
  wiring?(opts: { fix: boolean }, ctx: ProvisioningContext<C, S>): Promise<WiringItem[]>;
  /** The current registration status of the account's sender addresses. */
  registrations?(ctx: ProvisioningContext<C, S>): Promise<SenderRegistration[]>;
  /** Every template of the account. */
  templates?(ctx: ProvisioningContext<C, S>): Promise<ProviderTemplate[]>;
}

export const PROVISIONING_HOOKS = ['searchNumbers', 'buyNumber', 'listNumbers', 'releaseNumber', 'wiring', 'registrations', 'templates'] as const;
export type ProvisioningHook = (typeof PROVISIONING_HOOKS)[number];

/**
 * Template variables: WhatsApp writes them {{1}}, {{2}} (positional) or {{first_name}} (named), in
 * the header and body texts and in URL buttons. Returned in first-seen order, each once.
 */
export function templateVariables(texts: (string | undefined | null)[]): string[] {
  const seen: string[] = [];
  for (const text of texts) {
    for (const m of (text ?? '').matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) if (!seen.includes(m[1]!)) seen.push(m[1]!);
  }
  return seen;
}
