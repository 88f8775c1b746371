import type { ConnectorContext, ContactUpdateEvent, ExternalEvent, Handle } from './types.ts';

/**
 * The contract of non-channel connectors (CRM, vertical, payments): what the engine may ask of
 * them besides webhooks. Every hook is optional and gated by a declared capability:
 *   crm.lookup → crm.findContact (+ crm.createContact), crm.log → crm.logMessages (+ crm.logNote,
 *   optional: a connector without it cannot log a conversation summary),
 *   events.emit with polling → poll(), actions.invoke → actions.
 * Credentials that expire (OAuth2) are the engine's job: a connector declares `oauth` and reads
 * a fresh token through ctx.auth.accessToken(); it never refreshes or stores tokens itself.
 */

/** A person in the other system. */
export interface CrmRecord {
  externalId: string;
  /** Link to the record in the other system's UI. */
  url?: string;
  name?: string;
  phone?: string;
  email?: string;
  /** Non-sensitive extra fields (owner, lifecycle stage…) for rules and metadata. */
  data?: Record<string, unknown>;
}

export interface CrmQuery {
  /** E.164 */
  phone?: string;
  /** lowercase */
  email?: string;
}

/** One message to log on a CRM record's timeline. */
export interface CrmLogEntry {
  messageId: string;
  conversationId: string;
  direction: 'inbound' | 'outbound';
  channel: string;
  body: string | null;
  subject?: string | null;
  /** ISO time the message was sent / received. */
  at: string;
  /** Our address and theirs, as the channel knows them. */
  ours?: string | null;
  theirs?: string | null;
}

/** One note for a CRM record (a conversation summary): plain text, redacted for egress by the engine. */
export interface CrmNote {
  conversationId: string;
  /** Idempotency: the conversation version the note is about (its latest message id). */
  key: string;
  /** Plain text (a connector whose notes are HTML escapes it). */
  text: string;
  /** ISO time the note is about (the conversation's latest message). */
  at: string;
}

export interface CrmApi<C = Record<string, unknown>, S = Record<string, unknown>> {
  findContact(query: CrmQuery, ctx: IntegrationContext<C, S>): Promise<CrmRecord | null>;
  createContact?(input: { name?: string; phone?: string; email?: string }, ctx: IntegrationContext<C, S>): Promise<CrmRecord>;
  /**
   * Logs entries on the record's timeline. Must be idempotent per messageId where the provider
   * allows (the engine also logs each message once); returns the provider id of each logged entry.
   */
  logMessages?(
    /** record.data: the link's data (e.g. a Pipedrive deal id the conversation belongs to). */
    input: { record: { externalId: string; data?: Record<string, unknown> }; entries: CrmLogEntry[] },
    ctx: IntegrationContext<C, S>,
  ): Promise<{ logged: { messageId: string; externalId: string }[] }>;
  /**
   * Optional (under crm.log): creates one note on the record (a conversation summary) and returns
   * its provider id. The engine logs a note once per (connection, conversation, key).
   */
  logNote?(
    input: { record: { externalId: string; data?: Record<string, unknown> }; note: CrmNote },
    ctx: IntegrationContext<C, S>,
  ): Promise<{ externalId: string }>;
}

/** One page of a polled source. The engine commits the events, then stores `cursor`. */
export interface PollResult {
  events: ExternalEvent[];
  /**
   * Person records of the page (customers, tenants) as contact_update events with an externalId:
   * the engine links them to contacts (found by link, else handle, else created) before the events.
   */
  people?: ContactUpdateEvent[];
  /** Opaque position to resume from; null keeps the previous one. */
  cursor: string | null;
  /** true: poll again at once (more pages waiting). */
  hasMore?: boolean;
}

export interface PollSpec<C = Record<string, unknown>, S = Record<string, unknown>> {
  /** Seconds between polls of one connection (the engine backs off on rate limits). */
  intervalSeconds: number;
  run(cursor: string | null, ctx: IntegrationContext<C, S>): Promise<PollResult>;
}

/** OAuth2 as the engine runs it for a connection. */
export interface OAuthSpec {
  flow: 'authorization_code' | 'client_credentials';
  /** authorization_code only: where the admin is sent to consent. */
  authorizeUrl?: string;
  /** The token endpoint, or a function of the connection's config for vendors with one per environment (ServiceTitan's integration environment). */
  tokenUrl: string | ((config: Record<string, unknown>) => string);
  scopes?: string[];
  /** How client credentials travel to the token endpoint (RFC 6749 §2.3.1); default basic. */
  clientAuth?: 'basic' | 'body';
  /** authorization_code: the provider supports PKCE (RFC 7636, S256); the engine then sends a code challenge. */
  pkce?: boolean;
  /**
   * authorization_code: query parameters of the provider's redirect back to the engine that name the
   * account the admin connected, saved into the connection's config as `{callbackParam: configField}`
   * (Intuit sends the company as `realmId`: `{realmId: 'realmId'}`). A declared parameter missing
   * from the redirect fails the callback; the resulting config must pass configSchema.
   */
  callbackConfig?: Record<string, string>;
}

/** Extra context the engine gives integration hooks. */
export interface IntegrationContext<C = Record<string, unknown>, S = Record<string, unknown>> extends ConnectorContext<C, S> {
  auth?: {
    /** A valid access token (refreshed by the engine before expiry). */
    accessToken(): Promise<string>;
    /** Call after the provider answered 401 with the current token: the engine refreshes once. */
    invalidate(): Promise<void>;
  };
}

/**
 * A named operation a rule can invoke (e.g. Stripe "create_payment_link"). Method syntax on
 * purpose, as in ConnectorSpec: a connector typed with its own config must fit the registry.
 */
export interface ActionHandler<C = Record<string, unknown>, S = Record<string, unknown>> {
  description: string;
  /** JSON Schema of the input; the engine validates it before run(). */
  inputSchema?: Record<string, unknown>;
  run(input: Record<string, unknown>, ctx: IntegrationContext<C, S>): Promise<Record<string, unknown>>;
}

export type { ExternalEvent, Handle };
