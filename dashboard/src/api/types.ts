/** Shapes of the public /v1 API the dashboard reads (see /v1/openapi.json). */
export type Role = 'owner' | 'admin' | 'agent' | 'viewer';
export type Scope =
  | 'admin'
  | 'contacts:read'
  | 'contacts:write'
  | 'conversations:read'
  | 'conversations:write'
  | 'messages:read'
  | 'messages:send'
  | 'events:read'
  | 'connections:read'
  | 'connections:write';

export interface User {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  /** An invited user: pending until they choose their password. */
  invitation?: 'pending' | 'accepted';
  /** In the session: signed in through an invitation, no password chosen yet. */
  mustSetPassword?: boolean;
}

/** White-label branding: the org's over its platform's (GET /v1/org, the session, GET /v1/branding). */
export interface Branding {
  displayName: string;
  logoUrl: string | null;
  colors: { primary: string | null; accent: string | null; background: string | null; text: string | null };
  supportEmail: string | null;
  supportUrl: string | null;
}

export interface Session {
  object: 'session';
  user: User;
  org: { id: string; name: string; branding?: Branding };
  scopes: Scope[];
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
  hasMore: boolean;
}

export interface EngineEvent {
  id: string;
  type: string;
  orgId: string;
  conversationId: string | null;
  subjectId: string | null;
  createdAt: string;
  cursor: string;
  data: Record<string, any>;
}

export interface Participant {
  id: string;
  contactId: string | null;
  userRef: string | null;
  role: string;
  channel: string;
  handleId: string | null;
}

export interface Conversation {
  id: string;
  channel: string;
  status: string;
  contactId: string | null;
  senderAddress: string | null;
  subject: string | null;
  metadata: Record<string, unknown>;
  assigneeId: string | null;
  tags: string[];
  participants: Participant[];
  lastMessageAt: string;
  createdAt: string;
  updatedAt: string;
  /** On list rows only. */
  lastMessage?: MessagePreview | null;
}

export interface MessagePreview {
  id: string;
  direction: 'inbound' | 'outbound';
  channel: string;
  status: string;
  body: string | null;
  hasMedia: boolean;
  createdAt: string;
}

export interface Assignee {
  id: string;
  name: string | null;
  email: string;
  role: string;
}

/** GET /v1/conversations/{id}/enrichment, POST …/enrich: AI enrichment of a conversation (ai/README.md). */
export interface Enrichment {
  id: string;
  object: 'enrichment';
  conversationId: string;
  /** The latest message the result covers. */
  version: string;
  tasks: string[];
  provider: string;
  model: string | null;
  fallback: string | null;
  cached: boolean;
  createdAt: string;
  summary?: string;
  intent?: { id: string; confidence?: number };
  sentiment?: { label: 'negative' | 'neutral' | 'positive'; score: number };
  entities?: { type: string; text: string }[];
}

export interface Message {
  id: string;
  conversationId: string;
  direction: 'inbound' | 'outbound';
  channel: string;
  connectionId: string | null;
  contactId: string | null;
  senderAddress: string | null;
  body: string | null;
  subject: string | null;
  media: { url: string; contentType?: string }[];
  status: string;
  errorCode: string | null;
  errorMessage: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface Handle {
  id: string;
  kind: string;
  value: string;
  [k: string]: unknown;
}

export interface Contact {
  id: string;
  name: string | null;
  handles: Handle[];
  links?: ExternalLink[];
  attributes?: Record<string, unknown>;
  timezone?: string | null;
  [k: string]: unknown;
}

export interface ConnectorVersion {
  version: string;
  major: number;
  capabilities: string[];
  channels: string[];
  baaEligible?: boolean;
  oauth?: boolean;
  configSchema: Record<string, any>;
  secretsSchema: Record<string, any>;
  [k: string]: unknown;
}

export interface Connector {
  id: string;
  kind: 'channel' | 'crm' | 'vertical' | 'payments' | 'ai';
  displayName: string;
  description?: string;
  icon?: string;
  versions: ConnectorVersion[];
  [k: string]: unknown;
}

export interface Connection {
  id: string;
  connector: string;
  version: string | null;
  major: number;
  name: string;
  config: Record<string, unknown>;
  secretsSet: boolean;
  secretFields: string[];
  sandbox: boolean;
  status: 'active' | 'disabled' | 'error';
  statusReason: string | null;
  inboundUrl: string;
  createdAt: string;
  updatedAt: string;
  [k: string]: unknown;
}

/** POST /v1/messages/preflight: the verdict a send would get now (nothing is stored). */
export interface SendVerdict {
  allow: boolean;
  code: string | null;
  message: string | null;
  deferredUntil: string | null;
}

export interface Consent {
  id: string;
  channel: string;
  purpose: 'transactional' | 'marketing';
  status: 'opted_in' | 'opted_out' | string;
  source: string;
  recordedAt: string;
}

export interface ExternalLink {
  id: string;
  system: string;
  externalId: string;
  url: string | null;
}

/** GET /v1/connections/{id}/health */
export interface ConnectionHealth {
  connectionId: string;
  lastInboundAt: string | null;
  lastOutboundAt: string | null;
  errors: { inboundFailed24h: number; inboundUnmatched24h: number; outboundFailed24h: number; inboundFailedTotal: number };
  poller: null | { healthy: boolean; cursor: string | null; lastRunAt: string | null; lastSuccessAt: string | null; nextRunAt: string; failures: number; lastError: string | null };
  oauth: null | { authorized: boolean; scopes: string[]; expiresAt: string | null; failure: string | null };
}

/** The wiring check (GET /v1/connections/{id}/health, POST …/wiring/fix). */
export interface ProvisioningHealth {
  connectionId: string;
  status: 'ok' | 'degraded' | 'failing';
  previousStatus: 'ok' | 'degraded' | 'failing' | null;
  checkedAt: string;
  sandbox: boolean;
  credentials: { ok: boolean; message?: string };
  wiring: { kind: string; id: string; field?: string; expected?: string | null; actual?: string | null; ok: boolean; fixed?: boolean; fixable?: boolean; message?: string }[] | null;
  problems: { code: string; message: string; severity: 'degraded' | 'failing' }[];
}

/** A number a provider offers (GET /v1/connections/{id}/numbers/available). */
export interface AvailableNumber {
  phoneNumber: string;
  friendlyName?: string;
  locality: string | null;
  region: string | null;
  capabilities: { sms?: boolean; mms?: boolean; voice?: boolean };
}

/** POST /v1/connections/{id}/numbers. */
export interface ProvisionedNumber {
  providerId: string;
  phoneNumber: string;
  sandbox: boolean;
  inboundUrl: string | null;
  sender: { id: string; address: string };
}

/** One archived provider request (GET /v1/connections/{id}/archive). */
export interface ArchivedRequest {
  id: string;
  status: 'received' | 'held' | 'processed' | 'failed' | 'unmatched';
  error: string | null;
  messageIds: string[];
  receivedAt: string;
  processedAt: string | null;
}

/** GET /v1/connections/{id}/upgrade-options */
export interface UpgradeOption {
  version: string;
  major: number;
  changelog: string | null;
}
