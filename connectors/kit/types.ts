/**
 * The vocabulary shared by the engine and every connector. This file is the contract a third-party
 * connector is written against, so it imports nothing: the kit must be usable without our core.
 */

export const CONNECTOR_KINDS = ['channel', 'crm', 'vertical', 'payments', 'ai'] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];

/**
 * Capabilities a connector declares. The engine only calls what is declared (a connector without
 * messaging.send is never handed a message), and the dashboard shows them in the catalog.
 */
export const CAPABILITIES = [
  'messaging.send',
  'messaging.receive',
  'messaging.status',
  'messaging.media',
  'messaging.templates',
  'contacts.sync',
  'crm.lookup',
  'crm.log',
  'events.emit',
  'actions.invoke',
  'payments.request',
  'ai.generate',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** Canonical delivery statuses; every provider status is mapped onto one of these by the manifest. */
export const CANONICAL_STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed', 'undelivered', 'received', 'blocked'] as const;
export type CanonicalStatus = (typeof CANONICAL_STATUSES)[number];

/**
 * Canonical failure reasons. One list serves both the synchronous side (the code of a
 * ConnectorError thrown by send) and the asynchronous side (the reason on a failed status
 * callback), because a provider may report the same condition either way (Twilio answers 21610
 * to the API call, or 30007 later in a callback).
 */
export const FAILURE_REASONS = [
  'auth_failed',
  'rate_limited',
  'invalid_request',
  'recipient_opted_out',
  'invalid_recipient',
  'vendor_unavailable',
  'window_closed',
  'unregistered_sender',
  'filtered',
  'unreachable',
  'timeout',
  'unknown',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** Inbound event kinds a manifest rule can emit; `ignore` acknowledges a payload on purpose without an event. */
export const INBOUND_KINDS = ['message', 'status', 'opt_out', 'opt_in', 'help', 'contact_update', 'external_event'] as const;
export type InboundKind = (typeof INBOUND_KINDS)[number];

export interface Handle {
  /** phone | email | whatsapp | app_user | …; the engine normalizes the value per kind. */
  kind: string;
  value: string;
}

export interface MediaItem {
  url: string;
  contentType?: string;
  /** Attachments that arrive inline (email) rather than as a link carry their name and size. */
  filename?: string;
  size?: number;
}

export interface InboundMessageEvent {
  kind: 'message';
  channel: string;
  from: Handle;
  /** Our side: the number / address / account the provider delivered to. */
  to: { address: string };
  providerMessageId: string;
  body: string;
  subject?: string;
  media: MediaItem[];
  /** Email threading headers (RFC 5322 ids, with or without angle brackets): the engine threads by them. */
  email?: { messageId?: string; inReplyTo?: string; references?: string | string[] };
  metadata?: Record<string, unknown>;
  raw?: unknown;
}

export interface StatusEvent {
  kind: 'status';
  providerMessageId: string;
  status: CanonicalStatus;
  providerStatus: string;
  errorCode?: string;
  reason?: FailureReason;
  retryable?: boolean;
}

/**
 * Consent signals a provider reports on its own (e.g. a carrier-level opt-out, a WhatsApp block).
 * Keywords inside ordinary messages (STOP, START, HELP…) are NOT detected by connectors: the
 * engine does that in one place, with the org's own keyword lists, for every channel alike.
 */
export interface ConsentEvent {
  kind: 'opt_out' | 'opt_in' | 'help';
  channel: string;
  from: Handle;
  to?: { address: string };
  providerMessageId?: string;
  keyword?: string;
}

export interface ContactUpdateEvent {
  kind: 'contact_update';
  handle: Handle;
  name?: string;
  externalId?: string;
  attributes?: Record<string, unknown>;
}

export interface ExternalEvent {
  kind: 'external_event';
  /** Dotted type, e.g. "job.dispatched", "invoice.paid". */
  type: string;
  externalId?: string;
  occurredAt?: string;
  subject?: Handle;
  data: Record<string, unknown>;
}

export type NormalizedEvent = InboundMessageEvent | StatusEvent | ConsentEvent | ContactUpdateEvent | ExternalEvent;

/** A request exactly as it reached us. `body` is the raw bytes: signatures are checked over them. */
export interface RawRequest {
  method: string;
  /** Absolute URL as received (scheme, host, path and query string untouched). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** What manifest expressions see: headers lowercased, query and body decoded by content type. */
export interface ParsedRequest {
  method: string;
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
  body: unknown;
  contentType: string;
}

export type VerifyFailure = 'missing_signature' | 'bad_signature' | 'stale' | 'malformed' | 'missing_secret';
export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure };

/** A normalized outbound message, as the engine hands it to mapOutbound / send. */
export interface OutboundMessage {
  /** The engine's message id (idempotency, correlation). */
  messageId: string;
  channel: string;
  to: Handle;
  /** Our sending address; absent lets the connector choose (e.g. a Twilio Messaging Service). */
  from?: { address: string };
  /**
   * The name to send as where the channel shows one (an email's From): the org's white-label
   * branding.emailFromName. A name the connection itself configures should win over it.
   */
  senderName?: string;
  /**
   * The domain to send from where the channel has one (an email's From address): the org's
   * white-label branding.emailFromDomain, replacing the domain of the connection's default address
   * (the local part kept). Must be a domain authenticated at the provider. A message's own
   * from.address wins over it.
   */
  senderDomain?: string;
  body?: string;
  subject?: string;
  media?: MediaItem[];
  /** A provider-approved template (WhatsApp) and its variables. */
  template?: { id: string; variables?: Record<string, string> };
  statusCallbackUrl?: string;
  /** Email replies: the ids (RFC 5322, "<id>") of the message answered and of its thread. */
  email?: { inReplyTo?: string; references?: string[] };
  metadata?: Record<string, unknown>;
}

export interface SendResult {
  providerMessageId: string;
  status?: CanonicalStatus;
  providerStatus?: string;
  /**
   * The address the message left from, as the provider's inbound webhooks name it (a connection's
   * default number, a phone number id, an email address): the customer's reply to it threads into
   * this conversation. Absent when the provider chose (e.g. a Twilio Messaging Service's pool).
   */
  senderAddress?: string;
  /** Email: the Message-ID the connector gave the message, for the engine to thread replies by. */
  email?: { messageId: string };
}

/** What a send would report about itself, known before the provider is called (sandbox sends record it). */
export type SendPreview = Pick<SendResult, 'senderAddress' | 'email'>;

/**
 * An HTTP answer a connector chooses: the acknowledgement of a webhook (Twilio expects TwiML,
 * most providers any 2xx) or the answer to a verification handshake (Meta's hub.challenge).
 */
export interface HttpAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** What the engine hands ack(): the events of the request it has just committed. */
export interface AckInput {
  events: NormalizedEvent[];
}

/** A status the sandbox reports for a message it pretended to send. */
export interface SimulatedStatus {
  providerMessageId: string;
  status: CanonicalStatus;
}

/** A provider webhook request as the provider would send it, before signing (sandbox status callbacks). */
export interface SimulatedRequest {
  headers: Record<string, string>;
  body: string;
}

export interface TestResult {
  ok: boolean;
  message?: string;
}

export interface ConnectorContext<C = Record<string, unknown>, S = Record<string, unknown>> {
  /** The connection's config, already validated against configSchema. */
  config: C;
  /** The connection's decrypted secrets, already validated against secretsSchema. */
  secrets: S;
  /** Milliseconds since the epoch; injectable so replay windows are testable. */
  now?: () => number;
  signal?: AbortSignal;
}
