import { createHash } from 'node:crypto';
import { SinchClient } from '@sinch/sdk-core';
import type { SinchRegion } from './schemas.ts';

/**
 * Sinch clients are kept per service plan, token and region (least recently used first out), so
 * connections reuse them. Two SDK defaults are changed: its logger writes to the console (failed
 * calls with their URL), so it is silenced; and node-fetch has no timeout, so one is added.
 */
const TIMEOUT_MS = 20_000;
const MAX_CLIENTS = 256;
const clients = new Map<string, SinchClient>();

type RequestPlugin = NonNullable<NonNullable<ConstructorParameters<typeof SinchClient>[0]>['requestPlugins']>[number];

const timeoutPlugin: RequestPlugin = {
  getName: () => 'SwitchboardTimeout',
  load: () => ({ transform: (opts) => ({ ...opts, timeout: TIMEOUT_MS }) }),
};

export function sinchClient(servicePlanId: string, apiToken: string, region: SinchRegion): SinchClient {
  const key = `${region}:${servicePlanId}:${createHash('sha256').update(apiToken).digest('base64url')}`;
  let client = clients.get(key);
  if (client) {
    clients.delete(key);
  } else {
    client = new SinchClient({ servicePlanId, apiToken, smsRegion: region, logger: null, requestPlugins: [timeoutPlugin] });
  }
  clients.set(key, client);
  if (clients.size > MAX_CLIENTS) clients.delete(clients.keys().next().value!);
  return client;
}
