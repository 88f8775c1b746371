import { headerOf, signMeta, verifyMetaSignature, type ConnectorContext, type RawRequest, type VerifyResult } from '../kit/index.ts';
import type { WhatsAppConfig, WhatsAppSecrets } from './schemas.ts';

type Ctx = ConnectorContext<WhatsAppConfig, WhatsAppSecrets>;

/** X-Hub-Signature-256 over the raw body (Meta signs its \uXXXX-escaped bytes: never a re-serialized body). */
export function verify(req: RawRequest, ctx: Ctx): VerifyResult {
  return verifyMetaSignature({ appSecret: ctx.secrets.appSecret, signature: headerOf(req.headers, 'x-hub-signature-256'), body: req.body });
}

export function sign(req: RawRequest, ctx: Ctx): Record<string, string> {
  return { 'x-hub-signature-256': signMeta(ctx.secrets.appSecret, req.body) };
}
