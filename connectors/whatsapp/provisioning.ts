import {
  ConnectorError,
  templateVariables,
  type Manifest,
  type ProviderTemplate,
  type ProvisioningApi,
  type ProvisioningContext,
  type WiringItem,
} from '../kit/index.ts';
import { graph } from './send.ts';
import type { WhatsAppConfig, WhatsAppSecrets } from './schemas.ts';

type Ctx = ProvisioningContext<WhatsAppConfig, WhatsAppSecrets>;

/**
 * WhatsApp Cloud provisioning over the Graph API (no SDK, as for sending), all on the WhatsApp
 * Business Account (config.wabaId):
 * - /{waba}/subscribed_apps: the app must be subscribed to the WABA's webhooks, with the
 *   connection's URL as override_callback_uri (Meta checks it with the GET handshake, answered by
 *   the verify token, before it accepts it);
 * - /{waba}/phone_numbers: quality rating and messaging limit tier of each number;
 * - /{waba}/message_templates: every template, paged, with the variables its body expects (the
 *   manifest sends body parameters only, so those are what a send must give).
 */
const PAGE = 100;
const MAX_PAGES = 20;

interface Paged<T> {
  data?: T[];
  paging?: { cursors?: { after?: string }; next?: string };
}

function wabaOf(ctx: Ctx): string {
  if (!ctx.config.wabaId) throw new ConnectorError('invalid_request', 'Set config.wabaId (the WhatsApp Business Account ID) to manage numbers, webhooks and templates.', { retryable: false });
  return ctx.config.wabaId;
}

interface GraphTemplate {
  id: string;
  name: string;
  language: string;
  category?: string;
  status: string;
  components?: { type: string; text?: string; format?: string; buttons?: { type: string; url?: string }[] }[];
}

export function createProvisioning(manifest: Manifest): ProvisioningApi<WhatsAppConfig, WhatsAppSecrets> {
  const get = async <T>(ctx: Ctx, path: string) => (await graph(manifest, ctx, 'GET', path)) as T;
  return {
    async listNumbers(ctx) {
      const page = await get<Paged<{ id: string; display_phone_number: string; verified_name?: string; quality_rating?: string; messaging_limit_tier?: string }>>(
        ctx,
        `${wabaOf(ctx)}/phone_numbers?fields=id,display_phone_number,verified_name,quality_rating,messaging_limit_tier&limit=${PAGE}`,
      );
      return {
        numbers: (page.data ?? []).map((n) => ({
          id: n.id,
          phoneNumber: '+' + n.display_phone_number.replace(/\D/g, ''),
          ...(n.verified_name ? { friendlyName: n.verified_name } : {}),
          qualityRating: n.quality_rating ?? null,
          messagingLimit: n.messaging_limit_tier ?? null,
        })),
      };
    },

    async wiring({ fix }, ctx): Promise<WiringItem[]> {
      const waba = wabaOf(ctx);
      const subs = await get<Paged<{ whatsapp_business_api_data?: { id?: string; name?: string }; override_callback_uri?: string }>>(ctx, `${waba}/subscribed_apps`);
      const apps = subs.data ?? [];
      const override = apps.find((a) => a.override_callback_uri)?.override_callback_uri ?? null;
      const ok = apps.length > 0 && override === ctx.urls.inbound;
      if (!ok && fix) {
        await graph(manifest, ctx, 'POST', `${waba}/subscribed_apps`, { override_callback_uri: ctx.urls.inbound, verify_token: ctx.config.verifyToken });
      }
      return [
        {
          kind: 'app_subscription',
          id: waba,
          field: 'override_callback_uri',
          expected: ctx.urls.inbound,
          actual: apps.length ? override : null,
          ok: ok || fix,
          ...(!ok && fix ? { fixed: true } : {}),
          ...(!ok && !fix ? { message: apps.length ? 'The app is subscribed, but its webhooks go elsewhere.' : 'No app is subscribed to the WhatsApp Business Account: no message or status arrives.' } : {}),
        },
      ];
    },

    async templates(ctx): Promise<ProviderTemplate[]> {
      const out: ProviderTemplate[] = [];
      let after: string | undefined;
      for (let i = 0; i < MAX_PAGES; i++) {
        const page = await get<Paged<GraphTemplate>>(
          ctx,
          `${wabaOf(ctx)}/message_templates?fields=id,name,language,category,status,components&limit=${PAGE}${after ? `&after=${encodeURIComponent(after)}` : ''}`,
        );
        for (const t of page.data ?? []) {
          const body = t.components?.find((c) => c.type === 'BODY');
          out.push({
            id: t.id,
            name: t.name,
            language: t.language,
            category: t.category ?? null,
            status: t.status.toLowerCase(),
            components: t.components ?? [],
            variables: templateVariables([body?.text]),
          });
        }
        after = page.paging?.next ? page.paging.cursors?.after : undefined;
        if (!after) break;
      }
      return out;
    },
  };
}
