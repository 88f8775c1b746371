import { createHash, timingSafeEqual } from 'node:crypto';
import { headerOf, type ConnectorContext, type RawRequest, type VerifyResult } from '../kit/index.ts';
import type { PipedriveConfig, PipedriveSecrets } from './schemas.ts';

/**
 * Pipedrive signs nothing: a webhook is protected by the HTTP basic auth credentials set on it
 * (http_auth_user / http_auth_password). Compared in constant time over fixed-length digests, so
 * neither the content nor the length of the expected credentials leaks through timing.
 */

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function verify(req: RawRequest, ctx: ConnectorContext<PipedriveConfig, PipedriveSecrets>): VerifyResult {
  const { webhookUsername, webhookPassword } = ctx.secrets;
  if (!webhookUsername || !webhookPassword) return { ok: false, reason: 'missing_secret' };
  const header = headerOf(req.headers, 'authorization');
  if (!header) return { ok: false, reason: 'missing_signature' };
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(m[1]!, 'base64').toString('utf8');
  const ok = timingSafeEqual(digest(given), digest(`${webhookUsername}:${webhookPassword}`));
  return ok ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

export function sign(_req: RawRequest, ctx: ConnectorContext<PipedriveConfig, PipedriveSecrets>): Record<string, string> {
  return { authorization: 'Basic ' + Buffer.from(`${ctx.secrets.webhookUsername ?? ''}:${ctx.secrets.webhookPassword ?? ''}`).toString('base64') };
}
