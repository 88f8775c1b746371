import { h, render } from 'preact';
import { App } from './app.tsx';
import { CSS } from './styles.ts';
import { ChatSession, type Identity, type WidgetOptions } from './session.ts';

/**
 * <switchboard-chat>: the widget as a custom element with its own shadow root, so the page's CSS
 * cannot reach inside (only --sb-* custom properties and ::part() do, on purpose) and the
 * widget's CSS cannot leak out. Attributes: publishable-key, api-base, position, brand-color,
 * locale, greeting, launcher-label, chat-title, agent-name, open, and the segment attributes
 * property / unit / job / site (→ conversation metadata). configure() takes the same as an object.
 */
export const SEGMENT_ATTRIBUTES = ['property', 'unit', 'job', 'site'] as const;
const OPTION_ATTRIBUTES = ['position', 'brand-color', 'locale', 'greeting', 'launcher-label', 'chat-title', 'agent-name'] as const;

export interface ChatConfig extends WidgetOptions {
  publishableKey?: string;
  apiBase?: string;
  /** Segmentation: becomes the visitor's conversation metadata (property, unit, job, site…). */
  metadata?: Record<string, string>;
  user?: Identity | null;
  open?: boolean;
}

let defaultApiBase = '';
/** Where the API is when nothing says: the origin the script was loaded from. */
export function setDefaultApiBase(base: string): void {
  defaultApiBase = base;
}

function sheet(css: string): CSSStyleSheet | null {
  try {
    const s = new CSSStyleSheet();
    s.replaceSync(css);
    return s;
  } catch {
    return null;
  }
}

const camel = (a: string) => a.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export class SwitchboardChatElement extends HTMLElement {
  static get observedAttributes() {
    return ['publishable-key', 'api-base', 'open', ...OPTION_ATTRIBUTES, ...SEGMENT_ATTRIBUTES];
  }

  private config: ChatConfig = {};
  private session: ChatSession | null = null;
  private mount: HTMLDivElement | null = null;
  private themeSheet: CSSStyleSheet | null = null;
  private openState = { open: false, listeners: new Set<(o: boolean) => void>() };

  configure(patch: ChatConfig): void {
    this.config = { ...this.config, ...patch, metadata: { ...this.config.metadata, ...patch.metadata } };
    if (patch.open !== undefined) this.setOpen(patch.open);
    this.update();
  }

  identify(user: Identity | null): void {
    this.config = { ...this.config, user };
    if (this.session) void this.session.restart({ identity: user });
  }

  setOpen(open: boolean): void {
    this.openState.open = open;
    this.openState.listeners.forEach((l) => l(open));
  }

  connectedCallback(): void {
    if (!this.shadowRoot) {
      const root = this.attachShadow({ mode: 'open' });
      const base = sheet(CSS);
      this.themeSheet = sheet('');
      if (base && this.themeSheet) root.adoptedStyleSheets = [base, this.themeSheet];
      else {
        const style = document.createElement('style');
        style.textContent = CSS;
        root.append(style);
      }
      this.mount = document.createElement('div');
      root.append(this.mount);
    }
    this.update();
  }

  disconnectedCallback(): void {
    this.session?.stop();
    this.session = null;
    if (this.mount) render(null, this.mount);
  }

  attributeChangedCallback(name: string, _old: string | null, value: string | null): void {
    if (name === 'open') this.setOpen(value !== null && value !== 'false');
    if (this.isConnected) this.update();
  }

  private effective(): ChatConfig {
    const fromAttrs: Record<string, string> = {};
    for (const a of OPTION_ATTRIBUTES) {
      const v = this.getAttribute(a);
      if (v !== null) fromAttrs[a === 'chat-title' ? 'title' : camel(a)] = v;
    }
    const metadata: Record<string, string> = {};
    for (const a of SEGMENT_ATTRIBUTES) {
      const v = this.getAttribute(a);
      if (v) metadata[a] = v;
    }
    return {
      ...fromAttrs,
      ...this.config,
      publishableKey: this.config.publishableKey ?? this.getAttribute('publishable-key') ?? undefined,
      apiBase: (this.config.apiBase ?? this.getAttribute('api-base') ?? defaultApiBase ?? location.origin).replace(/\/+$/, ''),
      metadata: { ...metadata, ...this.config.metadata },
    };
  }

  private update(): void {
    if (!this.mount) return;
    const c = this.effective();
    if (!c.publishableKey) return;
    if (!this.session) {
      this.session = new ChatSession({ apiBase: c.apiBase!, publishableKey: c.publishableKey, metadata: c.metadata, identity: c.user ?? null });
      void this.session.start();
    } else this.session.setMetadata(c.metadata ?? {});
    const { publishableKey: _k, apiBase: _b, metadata: _m, user: _u, open: _o, ...local } = c;
    render(h(App, { session: this.session, local, themeSheet: this.themeSheet, openState: this.openState }), this.mount);
  }
}

export function defineSwitchboardChat(): void {
  if (!customElements.get('switchboard-chat')) customElements.define('switchboard-chat', SwitchboardChatElement);
}
