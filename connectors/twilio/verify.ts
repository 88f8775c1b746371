import { headerOf, signTwilioRequest, verifyTwilioSignature, type ConnectorContext, type RawRequest, type VerifyResult } from '../kit/index.ts';
import type { TwilioConfig, TwilioSecrets } from './schemas.ts';

type Ctx = ConnectorContext<TwilioConfig, TwilioSecrets>;

/**
 * Twilio signs the URL it called. Behind a proxy that is not the URL we see, so with
 * publicBaseUrl configured the origin (and any path prefix) is replaced, keeping our path and
 * query string exactly as received.
 */
export function signedUrl(requestUrl: string, publicBaseUrl: string | undefined): string {
  if (!publicBaseUrl) return requestUrl;
  const pathAndQuery = requestUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  return publicBaseUrl.replace(/\/+$/, '') + pathAndQuery;
}

export function verify(req: RawRequest, ctx: Ctx): VerifyResult {
  return verifyTwilioSignature({
    authToken: ctx.secrets.authToken,
    signature: headerOf(req.headers, 'x-twilio-signature'),
    url: signedUrl(req.url, ctx.config.publicBaseUrl),
    body: req.body,
    contentType: headerOf(req.headers, 'content-type'),
  });
}

export function sign(req: RawRequest, ctx: Ctx): Record<string, string> {
  return {
    'x-twilio-signature': signTwilioRequest({
      authToken: ctx.secrets.authToken,
      url: signedUrl(req.url, ctx.config.publicBaseUrl),
      body: req.body,
      contentType: headerOf(req.headers, 'content-type'),
    }),
  };
}
