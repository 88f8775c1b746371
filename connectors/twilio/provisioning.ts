import type {
  AvailableNumber,
  Manifest,
  NumberInventory,
  ProviderNumber,
  ProvisioningApi,
  ProvisioningContext,
  SenderRegistration,
  WiringItem,
} from '../kit/index.ts';
import { callTwilio, twilioClient } from './client.ts';
import { toConnectorError } from './send.ts';
import { signedUrl } from './verify.ts';
import type { TwilioConfig, TwilioSecrets } from './schemas.ts';

type Ctx = ProvisioningContext<TwilioConfig, TwilioSecrets>;

/**
 * Twilio provisioning through the SDK: AvailablePhoneNumbers/Local (search), IncomingPhoneNumbers
 * (buy, list, point, release), Messaging Services (inbound request URL + status callback) and the
 * A2P 10DLC resources (BrandRegistrations, each service's UsAppToPerson campaigns and its numbers).
 *
 * Which numbers are "ours": an account can carry numbers other apps answer (a voice IVR), so the
 * wiring only touches the numbers the connection sends from (its senders and config.fromNumbers)
 * and the connection's Messaging Service, never the whole account.
 */

/** Campaign status (UsAppToPerson.campaign_status) → the sender's registration. Anything unlisted is still in review. */
const CAMPAIGN: Record<string, SenderRegistration['status']> = { VERIFIED: 'approved', FAILED: 'rejected', SUSPENDED: 'rejected' };
/** A brand that failed (or was deleted / suspended) blocks every campaign under it, whatever the campaign says. */
const DEAD_BRAND = new Set(['FAILED', 'SUSPENDED', 'DELETED']);

export function createProvisioning(manifest: Manifest): ProvisioningApi<TwilioConfig, TwilioSecrets> {
  const client = (ctx: Ctx) => twilioClient(ctx.config.accountSid, ctx.secrets.authToken);
  const call = <T>(fn: () => Promise<T>) => callTwilio(fn, (err, headers) => toConnectorError(manifest, err, headers));
  /** Numbers point their SMS webhook and status callback at the connection; both POST (the signature covers the form body). */
  const numberSettings = (ctx: Ctx) => ({ smsUrl: urls(ctx).inbound, smsMethod: 'POST', statusCallback: urls(ctx).status, statusCallbackMethod: 'POST' });
  // Behind a proxy Twilio must call the public origin (the one its signatures are checked against).
  const urls = (ctx: Ctx) => ({ inbound: signedUrl(ctx.urls.inbound, ctx.config.publicBaseUrl), status: signedUrl(ctx.urls.status, ctx.config.publicBaseUrl) });
  const ours = (ctx: Ctx) => new Set([...ctx.numbers, ...(ctx.config.fromNumbers ?? [])].map((n) => n.replace(/^whatsapp:/, '')));

  const toNumber = (n: { sid: string; phoneNumber: string; friendlyName: string; capabilities?: { sms?: boolean; mms?: boolean; voice?: boolean }; smsUrl?: string }): ProviderNumber => ({
    id: n.sid,
    phoneNumber: n.phoneNumber,
    friendlyName: n.friendlyName,
    capabilities: { sms: !!n.capabilities?.sms, mms: !!n.capabilities?.mms, voice: !!n.capabilities?.voice },
    inboundUrl: n.smsUrl || null,
  });

  return {
    async searchNumbers(query, ctx): Promise<AvailableNumber[]> {
      const found = await call(() =>
        client(ctx).availablePhoneNumbers(query.country).local.list({
          ...(query.areaCode ? { areaCode: Number(query.areaCode) } : {}),
          ...(query.contains ? { contains: query.contains } : {}),
          ...(query.sms ? { smsEnabled: true } : {}),
          ...(query.mms ? { mmsEnabled: true } : {}),
          limit: query.limit ?? 20,
        }),
      );
      return found.map((n) => ({
        phoneNumber: n.phoneNumber,
        friendlyName: n.friendlyName,
        locality: n.locality ?? null,
        region: n.region ?? null,
        capabilities: { sms: !!n.capabilities?.sms, mms: !!n.capabilities?.mms, voice: !!n.capabilities?.voice },
      }));
    },

    async buyNumber({ phoneNumber }, ctx) {
      const bought = await call(() => client(ctx).incomingPhoneNumbers.create({ phoneNumber, ...numberSettings(ctx) }));
      return toNumber(bought);
    },

    async listNumbers(ctx): Promise<NumberInventory> {
      const [numbers, services] = await Promise.all([
        call(() => client(ctx).incomingPhoneNumbers.list({ limit: 1000 })),
        call(() => client(ctx).messaging.v1.services.list({ limit: 100 })),
      ]);
      return {
        numbers: numbers.map(toNumber),
        services: services.map((s) => ({ id: s.sid, name: s.friendlyName, inboundUrl: s.inboundRequestUrl || null, statusUrl: s.statusCallback || null })),
      };
    },

    async releaseNumber({ phoneNumber }, ctx) {
      const [found] = await call(() => client(ctx).incomingPhoneNumbers.list({ phoneNumber, limit: 1 }));
      if (!found) return { released: false };
      await call(() => client(ctx).incomingPhoneNumbers(found.sid).remove());
      return { released: true, id: found.sid };
    },

    async wiring({ fix }, ctx): Promise<WiringItem[]> {
      const items: WiringItem[] = [];
      const wanted = ours(ctx);
      const numbers = wanted.size ? (await call(() => client(ctx).incomingPhoneNumbers.list({ limit: 1000 }))).filter((n) => wanted.has(n.phoneNumber)) : [];
      for (const address of wanted) {
        if (!numbers.some((n) => n.phoneNumber === address)) {
          items.push({ kind: 'phone_number', id: address, ok: false, fixable: false, message: `${address} is not a number of Twilio account ${ctx.config.accountSid}` });
        }
      }
      for (const n of numbers) {
        const checks = [
          // A GET webhook would be signed over the query string we never read: the method is part of "points at us".
          { field: 'smsUrl', expected: urls(ctx).inbound, actual: n.smsUrl || null, ok: n.smsUrl === urls(ctx).inbound && n.smsMethod === 'POST' },
          { field: 'statusCallback', expected: urls(ctx).status, actual: n.statusCallback || null, ok: n.statusCallback === urls(ctx).status },
        ];
        if (fix && checks.some((c) => !c.ok)) await call(() => client(ctx).incomingPhoneNumbers(n.sid).update(numberSettings(ctx)));
        items.push(...report('phone_number', n.phoneNumber, checks, fix));
      }
      const serviceSid = ctx.config.messagingServiceSid;
      if (serviceSid) {
        const s = await call(() => client(ctx).messaging.v1.services(serviceSid).fetch());
        const checks = [
          { field: 'inboundRequestUrl', expected: urls(ctx).inbound, actual: s.inboundRequestUrl || null, ok: s.inboundRequestUrl === urls(ctx).inbound },
          { field: 'statusCallback', expected: urls(ctx).status, actual: s.statusCallback || null, ok: s.statusCallback === urls(ctx).status },
        ];
        if (fix && checks.some((c) => !c.ok)) {
          await call(() =>
            client(ctx).messaging.v1.services(serviceSid).update({ inboundRequestUrl: urls(ctx).inbound, inboundMethod: 'POST', statusCallback: urls(ctx).status }),
          );
        }
        items.push(...report('messaging_service', serviceSid, checks, fix));
      }
      return items;
    },

    async registrations(ctx): Promise<SenderRegistration[]> {
      const c = client(ctx);
      const [brands, services] = await Promise.all([
        call(() => c.messaging.v1.brandRegistrations.list({ limit: 100 })),
        call(() => c.messaging.v1.services.list({ limit: 100 })),
      ]);
      const brandStatus = new Map(brands.map((b) => [b.sid, String(b.status ?? '').toUpperCase()]));
      const out = new Map<string, SenderRegistration>();
      for (const s of services) {
        const [campaigns, numbers] = await Promise.all([
          call(() => c.messaging.v1.services(s.sid).usAppToPerson.list({ limit: 20 })),
          call(() => c.messaging.v1.services(s.sid).phoneNumbers.list({ limit: 1000 })),
        ]);
        // A service carries one campaign; a verified one wins over a stale failed one left beside it.
        const campaign = campaigns.find((x) => x.campaignStatus === 'VERIFIED') ?? campaigns[0];
        for (const n of numbers) {
          if (!campaign) {
            if (!out.has(n.phoneNumber)) out.set(n.phoneNumber, { address: n.phoneNumber, status: 'unregistered', providerStatus: null });
            continue;
          }
          const brand = brandStatus.get(campaign.brandRegistrationSid);
          const status = brand && DEAD_BRAND.has(brand) ? 'rejected' : (CAMPAIGN[campaign.campaignStatus] ?? 'pending');
          const previous = out.get(n.phoneNumber);
          if (previous?.status === 'approved') continue;
          out.set(n.phoneNumber, {
            address: n.phoneNumber,
            status,
            brandId: campaign.brandRegistrationSid ?? null,
            campaignId: campaign.campaignId ?? campaign.sid,
            providerStatus: campaign.campaignStatus,
          });
        }
      }
      // Our numbers in no Messaging Service carry no campaign at all.
      for (const address of ours(ctx)) if (!out.has(address)) out.set(address, { address, status: 'unregistered', providerStatus: null });
      return [...out.values()];
    },
  };
}

/** Wiring items of one resource; after a fix, what was wrong is reported as fixed (and ok). */
function report(kind: string, id: string, checks: { field: string; expected: string; actual: string | null; ok: boolean }[], fixed: boolean): WiringItem[] {
  return checks.map(({ ok, ...c }) => ({ kind, id, ...c, ok: ok || fixed, ...(!ok && fixed ? { fixed: true } : {}) }));
}
