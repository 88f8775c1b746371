import { ConnectorDefinitionError, createRegistry, type AnyConnectorDefinition, type Registry } from '../connectors/kit/index.ts';
import { AppError } from '../core/errors.ts';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createLogger } from '../core/logger.ts';
import twilio from '../connectors/twilio/index.ts';
import { setTwilioApiBaseUrl } from '../connectors/twilio/client.ts';
import whatsapp from '../connectors/whatsapp/index.ts';
import webchat from '../connectors/webchat/index.ts';
import sendgrid from '../connectors/sendgrid/index.ts';
import sinch from '../connectors/sinch/index.ts';
import hubspot from '../connectors/hubspot/index.ts';
import pipedrive from '../connectors/pipedrive/index.ts';
import appfolio from '../connectors/appfolio/index.ts';
import rentredi from '../connectors/rentredi/index.ts';
import buildertrend from '../connectors/buildertrend/index.ts';
import stripe from '../connectors/stripe/index.ts';
import servicetitan from '../connectors/servicetitan/index.ts';
import quickbooks from '../connectors/quickbooks/index.ts';
import openai from '../connectors/openai/index.ts';

/**
 * The connectors that ship with Switchboard. A new built-in connector is its folder plus ONE line
 * here (and, for a channel, one line in demoSandboxConnections below).
 */
export function builtinConnectors(): AnyConnectorDefinition[] {
  return [
    twilio as AnyConnectorDefinition,
    whatsapp as AnyConnectorDefinition,
    webchat as AnyConnectorDefinition,
    sendgrid as AnyConnectorDefinition,
    sinch as AnyConnectorDefinition,
    hubspot as AnyConnectorDefinition,
    pipedrive as AnyConnectorDefinition,
    appfolio as AnyConnectorDefinition,
    rentredi as AnyConnectorDefinition,
    buildertrend as AnyConnectorDefinition,
    stripe as AnyConnectorDefinition,
    servicetitan as AnyConnectorDefinition,
    quickbooks as AnyConnectorDefinition,
    openai as AnyConnectorDefinition,
  ];
}

/**
 * Sandbox connections the demo org of `npm start` gets: one line per channel connector, with
 * placeholder credentials that satisfy the connector's schemas (a sandbox never calls the provider).
 */
export interface DemoConnection {
  connector: string;
  name: string;
  config: Record<string, unknown>;
  secrets: Record<string, unknown>;
}

export function demoSandboxConnections(publicUrl: string): DemoConnection[] {
  return [
    { connector: 'twilio', name: 'Twilio (sandbox)', config: { accountSid: 'AC' + '0'.repeat(32), fromNumbers: ['+15005550006'] }, secrets: { authToken: 'sandbox' } },
    { connector: 'whatsapp', name: 'WhatsApp (sandbox)', config: { phoneNumberId: '100000000000001', verifyToken: 'sandbox-verify-token' }, secrets: { accessToken: 'sandbox', appSecret: 'sandbox' } },
    { connector: 'webchat', name: 'Web chat', config: { allowedOrigins: demoOrigins(publicUrl) }, secrets: { identitySecret: randomBytes(32).toString('base64url') } },
    sendgridDemo(),
    { connector: 'sinch', name: 'Sinch SMS (sandbox)', config: { servicePlanId: '0'.repeat(32), region: 'us', fromNumbers: ['+15005550007'] }, secrets: { apiToken: 'sandbox', webhookSecret: randomBytes(24).toString('base64url') } },
  ];
}

/**
 * The origins of pages this process serves (the widget demo, a page on the same host): PUBLIC_URL's,
 * or on a loopback host both of its names, on whatever port the server bound.
 */
function demoOrigins(publicUrl: string): string[] {
  const u = new URL(publicUrl);
  const loopback = ['localhost', '127.0.0.1'];
  if (!loopback.includes(u.hostname)) return [u.origin];
  return loopback.map((host) => `${u.protocol}//${host}${u.port ? `:${u.port}` : ''}`);
}

/** SendGrid's Event Webhook is ECDSA-signed: a sandbox signs its simulated events with a key pair of its own. */
function sendgridDemo(): DemoConnection {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    connector: 'sendgrid',
    name: 'SendGrid (sandbox)',
    config: { fromAddress: 'demo@sandbox.switchboard.dev', defaultSubject: 'Message from the Switchboard demo', eventWebhookPublicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') },
    secrets: { apiKey: 'SG.sandbox', inboundSecret: randomBytes(24).toString('base64url'), eventWebhookSigningKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64') },
  };
}

/** A built-in's CHANGELOG.md, in its folder (connectors/<id>/, the folder named like the connector). */
function builtinChangelog(id: string): { changelog?: string } {
  const file = new URL(`../connectors/${id}/CHANGELOG.md`, import.meta.url);
  return existsSync(file) ? { changelog: readFileSync(file, 'utf8') } : {};
}

export interface ConnectorRegistryOptions {
  /** Where npm package names resolve from (node_modules searched upward); default process.cwd(). */
  resolveFrom?: string;
}

/**
 * The registry a process runs with: the built-ins, then every third-party package named in
 * SWITCHBOARD_CONNECTORS (npm names, or absolute paths to a package's entry file). A package that
 * cannot be imported or does not validate stops the start, naming the package and every problem:
 * a connector is never half-loaded.
 */
export async function createConnectorRegistry(config: { connectorPackages: string[]; twilioApiBaseUrl?: string }, opts: ConnectorRegistryOptions = {}): Promise<Registry> {
  setTwilioApiBaseUrl(config.twilioApiBaseUrl);
  if (config.twilioApiBaseUrl) createLogger('connectors').warn({ twilioApiBaseUrl: config.twilioApiBaseUrl }, 'TWILIO_API_BASE_URL: Twilio API calls go to this server, not to Twilio');
  const registry = createRegistry(opts.resolveFrom ? { resolveFrom: opts.resolveFrom } : {});
  for (const def of builtinConnectors()) registry.register(def, builtinChangelog(def.id));
  for (const pkg of config.connectorPackages) {
    try {
      await registry.load(pkg);
    } catch (err) {
      const problems = ConnectorDefinitionError.is(err) ? err.problems : [(err as Error).message];
      throw new AppError('config_invalid', `SWITCHBOARD_CONNECTORS: the connector package "${pkg}" was refused:\n  - ${problems.join('\n  - ')}`, {
        details: problems.map((reason) => ({ field: 'SWITCHBOARD_CONNECTORS', package: pkg, reason })),
      });
    }
  }
  return registry;
}
