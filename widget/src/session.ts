import type { WidgetOptions } from '../../core/widget/options.ts';

/**
 * The widget's connection to Switchboard, free of any UI: opens a session with the publishable
 * key (anonymous visitors keep their visitor id in localStorage, so reloads and tabs land in the
 * same conversation), loads the history, then follows the conversation over /v1/realtime. After a
 * drop it reconnects with the last feed cursor and re-reads the latest page, merging by message
 * id, so nothing is lost or shown twice. Sends carry a client message id: a retry is the same message.
 */
export type { WidgetOptions };

export interface Identity {
  userId: string;
  userHash?: string;
  name?: string;
  email?: string;
  phone?: string;
}

export interface ChatMessage {
  id: string;
  author: 'visitor' | 'agent';
  authorName: string | null;
  body: string;
  createdAt: string;
  state: 'sending' | 'sent' | 'failed';
  clientMessageId?: string;
}

export type Status = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'error';

export interface ChatError {
  status: number;
  code: string;
  message: string;
}

export interface ChatState {
  status: Status;
  error: ChatError | null;
  messages: ChatMessage[];
  options: WidgetOptions;
  conversationId: string | null;
}

export interface SessionConfig {
  apiBase: string;
  publishableKey: string;
  metadata?: Record<string, string>;
  identity?: Identity | null;
}

interface WireMessage {
  id: string;
  author: 'visitor' | 'agent';
  authorName?: string | null;
  body: string | null;
  createdAt: string;
}

/** The org's white-label branding from the session answer (GET /v1/org's effective branding). */
interface Branding {
  displayName?: string;
  colors?: { primary?: string | null };
}

/** White-label defaults: the org's name as the title and its primary colour as the brand; the key's options win. */
function brandingOptions(b: Branding | undefined): WidgetOptions {
  return { ...(b?.displayName ? { title: b.displayName } : {}), ...(b?.colors?.primary ? { brandColor: b.colors.primary } : {}) };
}

const RECONNECT_MAX_MS = 3000;
const storeKey = (pk: string) => `switchboard:${pk.slice(0, 24)}:visitor`;

function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return 'cm_' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage blocked (third-party context, privacy mode): the chat still works for this page view
  }
}

const fromWire = (m: WireMessage): ChatMessage => ({
  id: m.id,
  author: m.author,
  authorName: m.authorName ?? null,
  body: m.body ?? '',
  createdAt: m.createdAt,
  state: 'sent',
});

const byTime = (a: ChatMessage, b: ChatMessage) =>
  (a.state === 'sending' ? 1 : 0) - (b.state === 'sending' ? 1 : 0) || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

export class ChatSession {
  private state: ChatState = { status: 'idle', error: null, messages: [], options: {}, conversationId: null };
  private listeners = new Set<(s: ChatState) => void>();
  private token: string | null = null;
  private ws: WebSocket | null = null;
  private cursor: string | null = null;
  private retryMs = 500;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private generation = 0;
  /** The session request in flight for a generation: a send while the panel opens waits for it. */
  private opening: { gen: number; promise: Promise<void> } | null = null;
  private readonly onOnline = () => this.reconnectSoon(0);

  constructor(private cfg: SessionConfig) {}

  get snapshot(): ChatState {
    return this.state;
  }

  subscribe(fn: (s: ChatState) => void): () => void {
    this.listeners.add(fn);
    fn(this.state);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<ChatState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn(this.state);
  }

  private merge(incoming: ChatMessage[], dropClientId?: string): void {
    const map = new Map(this.state.messages.filter((m) => m.clientMessageId !== dropClientId || m.state === 'sent').map((m) => [m.id, m]));
    for (const m of incoming) map.set(m.id, { ...map.get(m.id), ...m });
    this.set({ messages: [...map.values()].sort(byTime) });
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.cfg.apiBase + path, {
        method,
        credentials: 'omit',
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.token ? { 'x-widget-session': this.token } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw { status: 0, code: 'network', message: 'Network error' } satisfies ChatError;
    }
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw { status: res.status, code: json?.error?.code ?? 'error', message: json?.error?.message ?? res.statusText } satisfies ChatError;
    return json as T;
  }

  async start(): Promise<void> {
    this.stopped = false;
    const gen = ++this.generation;
    window.addEventListener('online', this.onOnline);
    this.set({ status: 'connecting', error: null });
    try {
      await this.openSession();
      if (gen !== this.generation) return;
      await this.loadHistory();
      if (this.state.conversationId) await this.connect(gen);
      else this.set({ status: 'ready' });
    } catch (err) {
      if (gen !== this.generation) return;
      const e = err as ChatError;
      if (e.status === 0 || e.status >= 500 || e.status === 429) return this.reconnectSoon();
      this.set({ status: 'error', error: e });
    }
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    clearTimeout(this.timer);
    window.removeEventListener('online', this.onOnline);
    this.ws?.close();
    this.ws = null;
  }

  /** A new identity or key: a different conversation, so start over. */
  async restart(cfg: Partial<SessionConfig>): Promise<void> {
    this.stop();
    this.cfg = { ...this.cfg, ...cfg };
    this.token = null;
    this.cursor = null;
    this.state = { status: 'idle', error: null, messages: [], options: this.state.options, conversationId: null };
    await this.start();
  }

  setMetadata(metadata: Record<string, string>): void {
    this.cfg = { ...this.cfg, metadata };
  }

  /**
   * One session request at a time per generation. A visitor who types while the panel's first
   * session is opening used to start a second one (401 → openSession): the two answers raced for
   * the token, and the panel's history read could go out with none (401 → error state).
   */
  private openSession(): Promise<void> {
    if (this.opening?.gen === this.generation) return this.opening.promise;
    const promise = this.requestSession().finally(() => {
      if (this.opening?.promise === promise) this.opening = null;
    });
    this.opening = { gen: this.generation, promise };
    return promise;
  }

  private async requestSession(): Promise<void> {
    const gen = this.generation;
    const store = storage();
    const id = this.cfg.identity;
    const visitorId = id ? undefined : store?.getItem(storeKey(this.cfg.publishableKey)) ?? undefined;
    const body = id
      ? { publishableKey: this.cfg.publishableKey, userId: id.userId, ...(id.userHash ? { userHash: id.userHash } : {}), ...(id.name ? { name: id.name } : {}), ...(id.email ? { email: id.email } : {}), ...(id.phone ? { phone: id.phone } : {}) }
      : { publishableKey: this.cfg.publishableKey, ...(visitorId ? { visitorId } : {}) };
    this.token = null;
    const s = await this.call<{ token: string; visitorId?: string; conversationId: string | null; options?: WidgetOptions; branding?: Branding }>('POST', '/v1/widget/sessions', body);
    // identify() restarts with a new identity while the anonymous session may still be opening:
    // that late answer must not become our token (the visitor's message would land anonymously).
    if (gen !== this.generation) throw { status: 0, code: 'superseded', message: 'Superseded by a newer session' } satisfies ChatError;
    this.token = s.token;
    if (s.visitorId) store?.setItem(storeKey(this.cfg.publishableKey), s.visitorId);
    this.set({ conversationId: s.conversationId, options: { ...brandingOptions(s.branding), ...s.options } });
  }

  private async loadHistory(): Promise<void> {
    const page = await this.call<{ conversationId: string | null; data: WireMessage[] }>('GET', '/v1/widget/messages?limit=100');
    if (page.conversationId) this.set({ conversationId: page.conversationId });
    this.merge(page.data.map(fromWire));
  }

  private async connect(gen: number): Promise<void> {
    const rt = await this.call<{ token: string }>('POST', '/v1/widget/realtime-tokens', {});
    if (gen !== this.generation) return;
    const url = new URL('/v1/realtime', this.cfg.apiBase);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', rt.token);
    if (this.cursor) url.searchParams.set('cursor', this.cursor);
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (ev) => {
      const frame = JSON.parse(String(ev.data));
      if (frame.type === 'event') {
        if (frame.event.cursor) this.cursor = frame.event.cursor;
        const m = frame.event.data?.message as WireMessage | undefined;
        if (m) this.merge([fromWire(m)]);
      } else if (frame.type === 'ready') {
        this.cursor = frame.cursor;
        this.retryMs = 500;
        this.set({ status: 'ready', error: null });
        // Whatever was written between the page read and the socket's start is in this read.
        void this.loadHistory().catch(() => {});
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.stopped) return;
      this.ws = null;
      this.reconnectSoon();
    };
  }

  private reconnectSoon(delay = this.retryMs): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    if (this.state.status !== 'error') this.set({ status: 'reconnecting' });
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
    this.timer = setTimeout(() => void this.resume(), delay);
  }

  /** After a drop: a fresh session if ours ended, then the latest page and the stream from our cursor. */
  private async resume(): Promise<void> {
    const gen = this.generation;
    this.ws?.close();
    this.ws = null;
    try {
      if (!this.token) await this.openSession();
      await this.loadHistory().catch(async (err: ChatError) => {
        if (err.status !== 401) throw err;
        await this.openSession();
        await this.loadHistory();
      });
      if (gen !== this.generation) return;
      if (this.state.conversationId) await this.connect(gen);
      else this.set({ status: 'ready' });
    } catch (err) {
      if (gen !== this.generation) return;
      const e = err as ChatError;
      if (e.status === 0 || e.status >= 500 || e.status === 429 || e.status === 404) return this.reconnectSoon();
      this.set({ status: 'error', error: e });
    }
  }

  async send(text: string, clientMessageId = randomId()): Promise<void> {
    const body = text.trim();
    if (!body) return;
    const pending: ChatMessage = { id: `local:${clientMessageId}`, author: 'visitor', authorName: null, body, createdAt: new Date().toISOString(), state: 'sending', clientMessageId };
    this.merge([pending]);
    if (this.opening) await this.opening.promise.catch(() => {});
    const post = () => this.call<WireMessage & { conversationId: string }>('POST', '/v1/widget/messages', { body, clientMessageId, ...(this.cfg.metadata && Object.keys(this.cfg.metadata).length ? { metadata: this.cfg.metadata } : {}) });
    try {
      const sent = await post().catch(async (err: ChatError) => {
        if (err.status !== 401) throw err;
        await this.openSession().catch((refused: ChatError) => {
          // The session ended and no new one opens (org suspended, key revoked, origin removed): the
          // panel says why instead of offering a composer whose every message fails.
          if (refused.status === 401 || refused.status === 403) this.set({ status: 'error', error: refused });
          throw refused;
        });
        return post();
      });
      const firstMessage = !this.state.conversationId;
      this.set({ messages: this.state.messages.filter((m) => m.id !== pending.id), conversationId: sent.conversationId });
      this.merge([{ ...fromWire(sent), clientMessageId }]);
      if (firstMessage && !this.ws) await this.connect(this.generation).catch(() => this.reconnectSoon());
    } catch {
      this.merge([{ ...pending, state: 'failed' }]);
    }
  }

  retry(m: ChatMessage): Promise<void> {
    this.set({ messages: this.state.messages.filter((x) => x.id !== m.id) });
    return this.send(m.body, m.clientMessageId);
  }
}
