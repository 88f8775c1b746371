/**
 * Widget options: what an admin sets on a publishable key and the widget reads when it opens a
 * session (the page's own attributes and Switchboard.init() override them). One JSON Schema is
 * the source: the API validates with it and the OpenAPI document shows it. Values reach the page
 * only as text or as single CSS custom-property values (never a style sheet), and colours and
 * theme values are restricted to characters that cannot close a declaration.
 */
const CSS_VALUE = '^[^;{}<>\\\\]{1,200}$';
const PHONE = '^\\+[1-9][0-9]{6,14}$';

export const THEME_KEYS = [
  'brand', 'brand-contrast', 'background', 'surface', 'text', 'muted', 'border',
  'visitor-bubble', 'visitor-text', 'agent-bubble', 'agent-text', 'radius', 'font', 'shadow', 'z-index',
] as const;

export const widgetOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    brandColor: { type: 'string', pattern: '^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$', description: 'Launcher, header and the visitor\'s bubbles' },
    theme: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(THEME_KEYS.map((k) => [k, { type: 'string', pattern: CSS_VALUE }])),
      description: 'CSS custom properties --sb-<name> (colours, radius, font…); ::part() styles the rest from the host page',
    },
    position: { type: 'string', enum: ['bottom-right', 'bottom-left'] },
    title: { type: 'string', maxLength: 80 },
    greeting: { type: 'string', maxLength: 500 },
    launcherLabel: { type: 'string', maxLength: 40 },
    agentName: { type: 'string', maxLength: 80, description: 'Shown on agent replies that name no author' },
    locale: { type: 'string', enum: ['en', 'es'] },
    strings: { type: 'object', maxProperties: 60, additionalProperties: { type: 'string', maxLength: 300 }, description: 'Overrides of the shipped strings, by key' },
    channels: {
      type: 'object',
      additionalProperties: false,
      properties: {
        chat: { type: 'boolean', default: true },
        sms: { type: 'string', pattern: PHONE, description: '"Text us": an sms: link to this number' },
        whatsapp: { type: 'string', pattern: PHONE, description: 'A wa.me link to this number' },
        email: { type: 'string', format: 'email', maxLength: 320 },
      },
    },
    businessHours: {
      type: 'object',
      additionalProperties: false,
      required: ['timeZone', 'days', 'open', 'close'],
      properties: {
        timeZone: { type: 'string', maxLength: 64, description: 'IANA time zone, e.g. America/New_York' },
        days: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 6 }, uniqueItems: true, description: '0 = Sunday' },
        open: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
        close: { type: 'string', pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$' },
      },
      description: 'Outside these hours the widget shows an offline form instead of the live chat',
    },
    sound: { type: 'boolean', default: false },
    notifications: { type: 'boolean', default: false },
  },
} as const;

export interface WidgetOptions {
  brandColor?: string;
  theme?: Partial<Record<(typeof THEME_KEYS)[number], string>>;
  position?: 'bottom-right' | 'bottom-left';
  title?: string;
  greeting?: string;
  launcherLabel?: string;
  agentName?: string;
  locale?: 'en' | 'es';
  strings?: Record<string, string>;
  channels?: { chat?: boolean; sms?: string; whatsapp?: string; email?: string };
  businessHours?: { timeZone: string; days: number[]; open: string; close: string };
  sound?: boolean;
  notifications?: boolean;
}

/**
 * Conversation metadata a page may attach (property, unit, job, site…): short string values
 * under plain keys, never the engine's reserved ones. It becomes the metadata of the visitor's
 * new conversation (so rules, the inbox and embed tokens can segment on it) and of each message.
 */
export const SEGMENT_KEY = '^(?!compliance$|purpose$|deferredUntil$)[a-zA-Z][a-zA-Z0-9_]{0,39}$';
export const segmentMetadataSchema = {
  type: 'object',
  maxProperties: 10,
  propertyNames: { pattern: SEGMENT_KEY },
  additionalProperties: { type: 'string', maxLength: 200 },
  description: 'Segmentation attributes from the page (property, unit, job, site…): the new conversation\'s metadata',
} as const;
