import type { ConnectorContext, HttpAnswer, SimulatedRequest, SimulatedStatus } from '../kit/index.ts';
import type { TwilioConfig, TwilioSecrets } from './schemas.ts';

type Ctx = ConnectorContext<TwilioConfig, TwilioSecrets>;

/**
 * Twilio reads the webhook's answer as TwiML: an empty <Response/> means "nothing to reply". Any
 * other body (JSON included) is logged in the console as error 12300 "Invalid Content-Type".
 */
export function ack(): HttpAnswer {
  return { status: 200, headers: { 'content-type': 'text/xml' }, body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' };
}

/**
 * A StatusCallback exactly as Twilio posts it (form-encoded, the documented parameters minus the
 * addresses: the manifest does not read them and a sandbox callback carries no personal data).
 * Canonical statuses are Twilio's own words for the ones a send goes through.
 */
export function simulateStatus(s: SimulatedStatus, ctx: Ctx): SimulatedRequest {
  const params = new URLSearchParams({
    AccountSid: ctx.config.accountSid,
    ApiVersion: '2010-04-01',
    MessageSid: s.providerMessageId,
    MessageStatus: s.status,
    SmsSid: s.providerMessageId,
    SmsStatus: s.status,
  });
  if (s.status === 'failed' || s.status === 'undelivered') params.set('ErrorCode', '30003');
  return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: params.toString() };
}
