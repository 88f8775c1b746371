import { v1 } from 'pipedrive';
import { defineConnector, type Manifest } from '../kit/index.ts';
import manifestJson from './manifest.json' with { type: 'json' };
import { call, pipedriveConfig, withHttpErrors } from './client.ts';
import { pipedriveCrm } from './crm.ts';
import { configSchema, secretsSchema, type PipedriveConfig, type PipedriveSecrets } from './schemas.ts';
import { sign, verify } from './verify.ts';

const manifest = manifestJson as unknown as Manifest;

/** Pipedrive CRM: person lookup / creation, conversation notes on the person (and deal), webhooks with basic auth. */
const pipedriveConnector = defineConnector<PipedriveConfig, PipedriveSecrets>({
  id: 'pipedrive',
  version: '1.0.1',
  kind: 'crm',
  displayName: 'Pipedrive',
  description: 'Finds or creates Pipedrive persons for conversations, logs messages as notes on the person (and deal), and turns Pipedrive webhooks into events.',
  icon: 'https://www.pipedrive.com/favicon.ico',
  configSchema,
  secretsSchema,
  capabilities: ['crm.lookup', 'crm.log', 'events.emit'],
  manifest,
  verify,
  sign,
  crm: pipedriveCrm,
  oauth: {
    flow: 'authorization_code',
    authorizeUrl: 'https://oauth.pipedrive.com/oauth/authorize',
    tokenUrl: 'https://oauth.pipedrive.com/oauth/token',
    // Pipedrive wants the client credentials in a Basic header; scopes are set on the app itself.
    clientAuth: 'basic',
  },
  async test(ctx) {
    const { v1: conf } = await pipedriveConfig(ctx);
    await call('current user', () => withHttpErrors(new v1.UsersApi(conf)).getCurrentUser());
    return { ok: true, message: 'Pipedrive accepted the credentials.' };
  },
});

export default pipedriveConnector;
export type { PipedriveConfig, PipedriveSecrets };
