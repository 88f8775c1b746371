export { fail, hmac, hmacBase64, hmacHex, OK, safeEqual, safeEqualAny, withinWindow, type HmacAlgorithm } from './hmac.ts';
export { signTwilioRequest, twilioAlgorithm, twilioSignature, twilioUrlCandidates, verifyTwilioSignature, type TwilioParams } from './twilio.ts';
export { signMeta, verifyMetaSignature } from './meta.ts';
export { signStripe, STRIPE_TOLERANCE_SECONDS, verifyStripeSignature } from './stripe.ts';
export { HUBSPOT_MAX_AGE_MS, hubspotUri, signHubSpotV3, verifyHubSpotV3 } from './hubspot.ts';
export {
  generateWebhookSecret,
  signStandardWebhook,
  STANDARD_WEBHOOKS_TOLERANCE_SECONDS,
  verifyStandardWebhook,
  webhookSecretKey,
} from './standard-webhooks.ts';
export { signBearerToken, uploadTokenSecretsSchema, verifyBearerToken } from './bearer.ts';
