import type { ValidateFunction } from 'ajv';
import { createAjv, describeAjvErrors } from './ajv.ts';
import { ConnectorDefinitionError } from './errors.ts';
import { validateManifest, type Manifest } from './manifest.ts';
import { parseSemver } from './semver.ts';
import type { ActionHandler, CrmApi, OAuthSpec, PollSpec } from './integrations.ts';
import { PROVISIONING_HOOKS, type ProvisioningApi } from './provisioning.ts';
import {
  CAPABILITIES,
  CONNECTOR_KINDS,
  type Capability,
  type ConnectorContext,
  type ConnectorKind,
  type AckInput,
  type HttpAnswer,
  type OutboundMessage,
  type RawRequest,
  type SendPreview,
  type SendResult,
  type SimulatedRequest,
  type SimulatedStatus,
  type TestResult,
  type VerifyResult,
} from './types.ts';

export type JsonSchema = Record<string, unknown>;

/**
 * What a connector author writes. Hooks use method syntax on purpose: a connector typed with its
 * own config interface must still fit a registry of ConnectorDefinition<Record<string, unknown>>.
 */
export interface ConnectorSpec<C = Record<string, unknown>, S = Record<string, unknown>> {
  id: string;
  version: string;
  kind: ConnectorKind;
  displayName: string;
  description?: string;
  /** URL or data: URI of an icon for the dashboard. */
  icon?: string;
  configSchema: JsonSchema;
  secretsSchema: JsonSchema;
  capabilities: Capability[];
  /** Channels the connector carries (sms, email, whatsapp…): the send job finds a connection for a message's channel by them. */
  channels?: string[];
  manifest: Manifest;
  /**
   * false: the connector receives no provider webhooks; its inbound messages enter through
   * Switchboard's own API (the built-in web chat and its widget). messaging.receive then needs
   * neither verify() nor inbound rules, and the receive URL answers 404. Default true.
   */
  receivesWebhooks?: boolean;
  /** Checks the provider's signature over the raw request. */
  verify?(req: RawRequest, ctx: ConnectorContext<C, S>): VerifyResult | Promise<VerifyResult>;
  /** Produces the signature headers the provider would send: used by the test harness and sandbox callbacks. */
  sign?(req: RawRequest, ctx: ConnectorContext<C, S>): Record<string, string> | Promise<Record<string, string>>;
  /** Sends one message; throws ConnectorError on failure. */
  send?(msg: OutboundMessage, ctx: ConnectorContext<C, S>): Promise<SendResult>;
  /**
   * What send() would report about the message without calling the provider: its sender address
   * and email Message-ID. Sandbox connections record it, so replies thread as in production.
   */
  preview?(msg: OutboundMessage, ctx: ConnectorContext<C, S>): SendPreview | Promise<SendPreview>;
  /** Checks the credentials with a harmless provider call. */
  test?(ctx: ConnectorContext<C, S>): Promise<TestResult>;
  /**
   * Answers a GET on the connection's receive URL (e.g. Meta's hub.challenge verification). Without
   * it such a GET is refused. Nothing of a handshake is stored.
   */
  handshake?(req: RawRequest, ctx: ConnectorContext<C, S>): HttpAnswer | Promise<HttpAnswer>;
  /** The 2xx the provider expects once a webhook is committed (default: 200 with {"ok":true}). */
  ack?(input: AckInput, ctx: ConnectorContext<C, S>): HttpAnswer;
  /**
   * Builds the status callback the provider would send for a message (unsigned: the engine signs it
   * with sign()). Sandbox connections post it to their own receive URL, through the real ingress.
   */
  simulateStatus?(status: SimulatedStatus, ctx: ConnectorContext<C, S>): SimulatedRequest | Promise<SimulatedRequest>;
  /** CRM lookups and timeline logging (capabilities crm.lookup / crm.log). */
  crm?: CrmApi<C, S>;
  /** A polled source of external events (capability events.emit). */
  poll?: PollSpec<C, S>;
  /** The connection authenticates with OAuth2; the engine keeps its tokens fresh. */
  oauth?: OAuthSpec;
  /** Operations rules can invoke by name (capability actions.invoke). */
  actions?: Record<string, ActionHandler<C, S>>;
  /** Channel provisioning (numbers, webhook wiring, registrations, templates): connectors/kit/provisioning.ts. */
  provisioning?: ProvisioningApi<C, S>;
  /**
   * The provider signs a HIPAA Business Associate Agreement for this service: an org in HIPAA mode
   * may send PHI through it. Absent = false (such orgs cannot use the connector).
   * `{ configField }`: it depends on the endpoint, not the connector (an OpenAI-compatible server
   * is covered only under its operator's BAA): a connection is eligible when that boolean config
   * field is true, and a HIPAA org cannot create or save one where it is not.
   */
  baaEligible?: boolean | { configField: string };
}

export interface ConnectorDefinition<C = Record<string, unknown>, S = Record<string, unknown>> extends Readonly<ConnectorSpec<C, S>> {
  readonly major: number;
  /** Problems of a connection config against configSchema (empty = valid). */
  validateConfig(config: unknown): string[];
  /** Problems of connection secrets against secretsSchema (empty = valid). */
  validateSecrets(secrets: unknown): string[];
}

/**
 * Any connector, whatever its config and secrets types: what registries and the engine hold.
 * (`object` rather than Record<string, unknown>, which an interface such as TwilioConfig does not satisfy.)
 */
export type AnyConnectorDefinition = ConnectorDefinition<object, object>;
export type AnyConnectorSpec = ConnectorSpec<object, object>;

const DEFINITION = Symbol.for('switchboard.kit.ConnectorDefinition');
const KEYS = new Set([
  'id', 'version', 'kind', 'displayName', 'description', 'icon', 'configSchema', 'secretsSchema',
  'capabilities', 'channels', 'manifest', 'receivesWebhooks', 'verify', 'sign', 'send', 'preview', 'test', 'handshake', 'ack', 'simulateStatus',
  'crm', 'poll', 'oauth', 'actions', 'provisioning', 'baaEligible',
]);
const HOOKS = ['verify', 'sign', 'send', 'preview', 'test', 'handshake', 'ack', 'simulateStatus'] as const;
const CHANNEL = /^[a-z][a-z0-9_]{0,31}$/;
const ID = /^[a-z][a-z0-9_-]{0,63}$/;

export function isConnectorDefinition(value: unknown): value is AnyConnectorDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DEFINITION] === true;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function compileSchema(schema: unknown, name: string, problems: string[]): ValidateFunction | undefined {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
    problems.push(`${name}: must be a JSON Schema object`);
    return undefined;
  }
  if ((schema as JsonSchema).type !== 'object') problems.push(`${name}: must describe an object (type: "object")`);
  try {
    return createAjv().compile(schema);
  } catch (err) {
    problems.push(`${name}: does not compile: ${(err as Error).message}`);
    return undefined;
  }
}

function checkCapabilities<C, S>(spec: Partial<ConnectorSpec<C, S>>, problems: string[]): void {
  const caps = spec.capabilities;
  if (!Array.isArray(caps)) {
    problems.push('capabilities: must be an array');
    return;
  }
  const seen = new Set<string>();
  for (const c of caps) {
    if (!(CAPABILITIES as readonly string[]).includes(c)) problems.push(`capabilities: unknown capability "${String(c)}" (known: ${CAPABILITIES.join(', ')})`);
    if (seen.has(c)) problems.push(`capabilities: "${c}" listed twice`);
    seen.add(c);
  }
  const m = spec.manifest && typeof spec.manifest === 'object' ? spec.manifest : undefined;
  if (seen.has('messaging.send')) {
    if (typeof spec.send !== 'function') problems.push('capabilities: messaging.send needs a send() function');
    if (m && !m.outbound) problems.push('manifest: messaging.send needs an outbound mapping');
  }
  if ((seen.has('messaging.receive') || seen.has('messaging.status')) && spec.receivesWebhooks !== false) {
    if (typeof spec.verify !== 'function') problems.push('capabilities: receiving webhooks needs a verify() function');
    if (m && !m.inbound?.length) problems.push('manifest: receiving webhooks needs inbound rules');
  }
  if (seen.has('messaging.status') && m && !Object.keys(m.statusMap ?? {}).length) {
    problems.push('manifest: messaging.status needs a statusMap');
  }
  if (seen.has('crm.lookup') && typeof spec.crm?.findContact !== 'function') problems.push('capabilities: crm.lookup needs crm.findContact()');
  if (seen.has('crm.log') && typeof spec.crm?.logMessages !== 'function') problems.push('capabilities: crm.log needs crm.logMessages()');
  if (seen.has('actions.invoke') && !Object.keys(spec.actions ?? {}).length) problems.push('capabilities: actions.invoke needs at least one entry in actions');
  for (const [name, action] of Object.entries(spec.actions ?? {})) {
    if (typeof action?.run !== 'function' || typeof action?.description !== 'string') problems.push(`actions.${name}: needs description and run(input, ctx)`);
  }
  if (spec.provisioning !== undefined) {
    const p = spec.provisioning as Record<string, unknown> | null;
    if (!p || typeof p !== 'object') problems.push('provisioning: must be an object of hooks');
    else {
      for (const key of Object.keys(p)) {
        if (!(PROVISIONING_HOOKS as readonly string[]).includes(key)) problems.push(`provisioning.${key}: unknown hook (known: ${PROVISIONING_HOOKS.join(', ')})`);
        else if (typeof p[key] !== 'function') problems.push(`provisioning.${key}: must be a function`);
      }
    }
  }
  const baa = spec.baaEligible as unknown;
  if (baa !== undefined && typeof baa !== 'boolean') {
    const field = (baa as { configField?: unknown } | null)?.configField;
    const props = (spec.configSchema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties;
    if (typeof field !== 'string' || props?.[field]?.type !== 'boolean') problems.push('baaEligible: true, false, or {configField} naming a boolean property of configSchema');
  }
  if (spec.poll !== undefined) {
    if (typeof spec.poll?.run !== 'function') problems.push('poll: needs a run(cursor, ctx) function');
    if (!(Number(spec.poll?.intervalSeconds) >= 1)) problems.push('poll: intervalSeconds must be at least 1');
  }
  if (spec.oauth !== undefined) {
    if (!['authorization_code', 'client_credentials'].includes(spec.oauth?.flow as string)) problems.push('oauth: flow must be authorization_code or client_credentials');
    if (typeof spec.oauth?.tokenUrl !== 'string' && typeof spec.oauth?.tokenUrl !== 'function') problems.push('oauth: tokenUrl is required (a URL, or a function of the config)');
    if (spec.oauth?.flow === 'authorization_code' && typeof spec.oauth.authorizeUrl !== 'string') problems.push('oauth: authorization_code needs authorizeUrl');
    const fromCallback = spec.oauth?.callbackConfig;
    if (fromCallback !== undefined) {
      if (spec.oauth?.flow !== 'authorization_code') problems.push('oauth: callbackConfig needs the authorization_code flow (only it has a redirect)');
      if (!fromCallback || typeof fromCallback !== 'object' || Array.isArray(fromCallback) || !Object.entries(fromCallback).every(([k, v]) => k && typeof v === 'string' && v)) {
        problems.push('oauth: callbackConfig must map redirect query parameters to config field names ({"realmId": "realmId"})');
      }
    }
  }
}

/**
 * Validates a connector definition whole and returns it frozen. Every problem is collected and
 * thrown together as a ConnectorDefinitionError: a connector is loaded entirely or not at all.
 */
export function defineConnector<C = Record<string, unknown>, S = Record<string, unknown>>(spec: ConnectorSpec<C, S>): ConnectorDefinition<C, S> {
  const problems: string[] = [];
  if (!spec || typeof spec !== 'object') throw new ConnectorDefinitionError(undefined, ['definition: must be an object']);
  const s = spec as Partial<ConnectorSpec<C, S>>;
  for (const key of Object.keys(s)) if (!KEYS.has(key)) problems.push(`${key}: unknown property`);
  if (typeof s.id !== 'string' || !ID.test(s.id)) problems.push('id: must be lowercase letters, digits, "-" or "_", starting with a letter (≤ 64 characters)');
  const semver = typeof s.version === 'string' ? parseSemver(s.version) : null;
  if (!semver) problems.push(`version: "${String(s.version)}" is not a semantic version (e.g. 1.0.0)`);
  if (!(CONNECTOR_KINDS as readonly string[]).includes(s.kind as string)) problems.push(`kind: must be one of ${CONNECTOR_KINDS.join(', ')}`);
  if (typeof s.displayName !== 'string' || !s.displayName.trim()) problems.push('displayName: must be a non-empty string');
  if (s.icon !== undefined && typeof s.icon !== 'string') problems.push('icon: must be a string (URL or data: URI)');
  if (s.description !== undefined && typeof s.description !== 'string') problems.push('description: must be a string');
  if (s.receivesWebhooks !== undefined && typeof s.receivesWebhooks !== 'boolean') problems.push('receivesWebhooks: must be a boolean');
  const configValidator = compileSchema(s.configSchema, 'configSchema', problems);
  const secretsValidator = compileSchema(s.secretsSchema, 'secretsSchema', problems);
  checkCapabilities(s, problems);
  if (s.channels !== undefined && (!Array.isArray(s.channels) || !s.channels.every((c) => typeof c === 'string' && CHANNEL.test(c)))) {
    problems.push('channels: must be an array of channel names (lowercase, e.g. "sms", "email")');
  }
  if (s.simulateStatus !== undefined && typeof s.sign !== 'function') problems.push('simulateStatus: needs sign() (sandbox callbacks are signed)');
  for (const hook of HOOKS) if (s[hook] !== undefined && typeof s[hook] !== 'function') problems.push(`${hook}: must be a function`);
  if (s.manifest === undefined) problems.push('manifest: required');
  else problems.push(...validateManifest(s.manifest));
  for (const [i, mig] of (s.manifest?.configMigrations ?? []).entries()) {
    if (semver && typeof mig?.to === 'number' && mig.to > semver.major) {
      problems.push(`manifest/configMigrations/${i}: migrates to major ${mig.to}, beyond this version's major ${semver.major}`);
    }
  }
  if (problems.length) throw new ConnectorDefinitionError(typeof s.id === 'string' ? s.id : undefined, problems);

  const definition = {
    ...spec,
    configSchema: deepFreeze(structuredClone(spec.configSchema)),
    secretsSchema: deepFreeze(structuredClone(spec.secretsSchema)),
    capabilities: Object.freeze([...spec.capabilities]) as Capability[],
    ...(spec.channels ? { channels: Object.freeze([...spec.channels]) as string[] } : {}),
    manifest: deepFreeze(structuredClone(spec.manifest)),
    major: semver!.major,
    validateConfig: (config: unknown) => (configValidator!(config) ? [] : describeAjvErrors(configValidator!.errors, 'config')),
    validateSecrets: (secrets: unknown) => (secretsValidator!(secrets) ? [] : describeAjvErrors(secretsValidator!.errors, 'secrets')),
  };
  Object.defineProperty(definition, DEFINITION, { value: true });
  return Object.freeze(definition);
}
