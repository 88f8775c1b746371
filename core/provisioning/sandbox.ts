import crypto from 'node:crypto';
import type { ProviderTemplate, ProvisioningApi, ProvisioningHook } from '../../connectors/kit/index.ts';

/**
 * Provisioning for sandbox connections: the same operations as the connector offers, answered
 * without credentials and without a provider call. Numbers are fictional 555-01xx numbers (reserved
 * for fiction in North America) that work in the sandbox flow (a bought one becomes a sender and
 * sends are recorded, never forwarded); everything points at the connection; every sender is
 * registered; two sample templates show an approved and a paused one.
 */
export const SANDBOX_TEMPLATES: ProviderTemplate[] = [
  {
    id: 'sandbox-appointment-reminder',
    name: 'appointment_reminder',
    language: 'en_US',
    category: 'UTILITY',
    status: 'approved',
    components: [{ type: 'BODY', text: 'Hi {{1}}, your appointment is on {{2}}. Reply STOP to opt out.' }],
    variables: ['1', '2'],
  },
  {
    id: 'sandbox-spring-promo',
    name: 'spring_promo',
    language: 'en_US',
    category: 'MARKETING',
    status: 'paused',
    components: [{ type: 'BODY', text: 'Spring offer for {{1}}: 10% off this week.' }],
    variables: ['1'],
  },
];

const fictional = (areaCode: string, n: number) => `+1${areaCode}55501${String(n % 100).padStart(2, '0')}`;

const simulated: Required<ProvisioningApi> = {
  async searchNumbers(query) {
    if (!['US', 'CA'].includes(query.country.toUpperCase())) return [];
    const area = /^[2-9]\d\d$/.test(query.areaCode ?? '') ? query.areaCode! : '415';
    const start = crypto.randomInt(0, 80);
    return Array.from({ length: Math.min(query.limit ?? 5, 20) }, (_, i) => ({
      phoneNumber: fictional(area, start + i),
      friendlyName: `(${area}) 555-01${String((start + i) % 100).padStart(2, '0')}`,
      locality: 'Sandbox',
      region: null,
      capabilities: { sms: true, mms: true, voice: false },
    }));
  },
  async buyNumber({ phoneNumber }, ctx) {
    return { id: 'PNsandbox' + crypto.randomBytes(12).toString('hex'), phoneNumber, capabilities: { sms: true, mms: true, voice: false }, inboundUrl: ctx.urls.inbound };
  },
  async listNumbers(ctx) {
    return { numbers: ctx.numbers.map((phoneNumber, i) => ({ id: `PNsandbox${i}`, phoneNumber, inboundUrl: ctx.urls.inbound, qualityRating: 'GREEN', messagingLimit: 'TIER_1K' })) };
  },
  async releaseNumber() {
    return { released: true };
  },
  async wiring(_opts, ctx) {
    return ctx.numbers.map((id) => ({ kind: 'sandbox_number', id, field: 'inbound', expected: ctx.urls.inbound, actual: ctx.urls.inbound, ok: true }));
  },
  async registrations(ctx) {
    return ctx.numbers.map((address) => ({ address, status: 'approved' as const, brandId: 'BNsandbox', campaignId: 'CMsandbox', providerStatus: 'SANDBOX' }));
  },
  async templates() {
    return structuredClone(SANDBOX_TEMPLATES);
  },
};

/** The simulation of exactly the hooks the connector implements: a sandbox connection offers what a real one would. */
export function sandboxProvisioning(real: ProvisioningApi): ProvisioningApi {
  const out: ProvisioningApi = {};
  for (const hook of Object.keys(simulated) as ProvisioningHook[]) {
    if (typeof real[hook] === 'function') (out as Record<string, unknown>)[hook] = simulated[hook];
  }
  return out;
}
