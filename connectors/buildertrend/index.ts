import { defineConnector, signBearerToken, verifyBearerToken } from '../kit/index.ts';
import { manifest } from './manifest.ts';
import { configSchema, secretsSchema, type BuilderTrendConfig, type BuilderTrendSecrets } from './schemas.ts';

/**
 * BuilderTrend's API is partner-gated: this connector ingests the CSV exports an admin
 * downloads (schedule, daily logs, job list), uploaded to the connection's receive URL.
 */
const buildertrend = defineConnector<BuilderTrendConfig, BuilderTrendSecrets>({
  id: 'buildertrend',
  version: '1.0.0',
  kind: 'vertical',
  displayName: 'BuilderTrend',
  description: 'Schedule items (with delays against the baseline), daily logs and job status changes from uploaded BuilderTrend CSV exports.',
  icon: 'https://buildertrend.com/favicon.ico',
  configSchema,
  secretsSchema,
  capabilities: ['events.emit', 'contacts.sync'],
  manifest,
  verify: (req, ctx) => verifyBearerToken(req, ctx.secrets.uploadToken),
  sign: (_req, ctx) => signBearerToken(ctx.secrets.uploadToken),
});

export default buildertrend;
export type { BuilderTrendConfig, BuilderTrendSecrets };
