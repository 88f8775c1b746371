/**
 * A small typed client for the parts of /v1 and /v1/realtime the UI kit uses. In a browser it
 * authenticates with an embed token minted by the app's server (POST /v1/embed-tokens), never an
 * API key; getToken is called again when the token expires (401).
 */
export interface Conversation {
  id: string;
  channel: string;
  status: string;
  contactId: string | null;
  subject: string | null;
  metadata: Record<string, unknown>;
  lastMessageAt: string;
  createdAt: string;
  /** On list rows: the newest message (body null without messages:read, or once retention cleared it). */
  lastMessage?: { id: string; direction: 'inbound' | 'outbound'; body: string | null; hasMedia: boolean; createdAt: string } | null;
}

export interface Message {
  id: string;
  conversationId: string;
  direction: 'inbound' | 'outbound';
  channel: string;
  body: string | null;
  status: string;
  metadata: Record<string, unknown>;
  createdAt: string;
}

export interface Contact {
  id: string;
  name: string | null;
  handles: { kind: string; value: string }[];
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
  hasMore: boolean;
}

export interface RealtimeEvent {
  type: string;
  cursor: string;
  conversationId?: string;
  data: { message?: Message; conversation?: Conversation } & Record<string, unknown>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  /** Where the API is; default: this page's origin. */
  apiBase?: string;
  /** An embed token (sbet_…), or a function that asks your server for a fresh one. */
  token: string | (() => string | Promise<string>);
}

export class SwitchboardClient {
  private readonly base: string;
  private token: string | null = null;

  constructor(private readonly opts: ClientOptions) {
    this.base = (opts.apiBase ?? location.origin).replace(/\/+$/, '');
  }

  private async bearer(fresh = false): Promise<string> {
    if (typeof this.opts.token === 'string') return this.opts.token;
    if (!this.token || fresh) this.token = await this.opts.token();
    return this.token;
  }

  async request<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      credentials: 'omit',
      headers: { authorization: `Bearer ${await this.bearer(retried)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 401 && !retried && typeof this.opts.token === 'function') return this.request(method, path, body, true);
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? 'error', json?.error?.message ?? res.statusText);
    return json as T;
  }

  listConversations(q: { status?: string; limit?: number; cursor?: string; metadata?: Record<string, string>; order?: 'created' | 'last_activity' } = {}): Promise<Page<Conversation>> {
    const p = new URLSearchParams();
    if (q.status) p.set('status', q.status);
    if (q.order) p.set('order', q.order);
    if (q.limit) p.set('limit', String(q.limit));
    if (q.cursor) p.set('cursor', q.cursor);
    for (const [k, v] of Object.entries(q.metadata ?? {})) p.set(`metadata[${k}]`, v);
    const qs = p.toString();
    return this.request('GET', `/v1/conversations${qs ? `?${qs}` : ''}`);
  }

  getConversation(id: string): Promise<Conversation> {
    return this.request('GET', `/v1/conversations/${encodeURIComponent(id)}`);
  }

  listMessages(conversationId: string, q: { limit?: number; cursor?: string } = {}): Promise<Page<Message>> {
    const p = new URLSearchParams({ limit: String(q.limit ?? 50), ...(q.cursor ? { cursor: q.cursor } : {}) });
    return this.request('GET', `/v1/conversations/${encodeURIComponent(conversationId)}/messages?${p}`);
  }

  sendMessage(conversationId: string, body: string, metadata?: Record<string, unknown>): Promise<Message> {
    return this.request('POST', '/v1/messages', { conversationId, body, ...(metadata ? { metadata } : {}) });
  }

  getContact(id: string): Promise<Contact> {
    return this.request('GET', `/v1/contacts/${encodeURIComponent(id)}`);
  }

  /**
   * Follows one conversation over /v1/realtime: reconnects after a drop and resumes from the last
   * cursor, so each event arrives once and in order. Returns a function that stops it.
   */
  subscribe(conversationId: string, onEvent: (e: RealtimeEvent) => void, onState?: (s: 'live' | 'reconnecting') => void): () => void {
    let cursor: string | null = null;
    let ws: WebSocket | null = null;
    let stopped = false;
    let delay = 500;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = async () => {
      try {
        const { token } = await this.request<{ token: string }>('POST', '/v1/realtime/tokens', { conversationId });
        if (stopped) return;
        const url = new URL('/v1/realtime', this.base);
        url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
        url.searchParams.set('token', token);
        if (cursor) url.searchParams.set('cursor', cursor);
        ws = new WebSocket(url);
        ws.onmessage = (m) => {
          const frame = JSON.parse(String(m.data));
          if (frame.type === 'event') {
            cursor = frame.event.cursor;
            onEvent(frame.event);
          } else if (frame.type === 'ready') {
            cursor = frame.cursor;
            delay = 500;
            onState?.('live');
          }
        };
        ws.onclose = () => retry();
      } catch {
        retry();
      }
    };
    const retry = () => {
      if (stopped) return;
      onState?.('reconnecting');
      clearTimeout(timer);
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      ws?.close();
    };
  }
}
