/**
 * /v1/realtime with resume: each event carries a cursor; after a drop the connection comes back
 * with `?cursor=<last seen>` and the server replays what was missed before going live, so a
 * disconnect loses nothing and repeats nothing. Browsers' and edge runtimes' WebSocket cannot send
 * an Authorization header, so every (re)connection mints a short-lived realtime token first.
 */
export interface RealtimeEvent {
  id: string;
  type: string;
  cursor: string;
  conversationId: string | null;
  data: Record<string, unknown>;
  [key: string]: unknown;
}

export interface RealtimeOptions {
  baseUrl: string;
  mintToken(): Promise<string>;
  onEvent(event: RealtimeEvent): void;
  /** Called when the backlog is replayed and the stream is live (on every (re)connection). */
  onReady?(cursor: string): void;
  onError?(err: Error): void;
  conversationId?: string;
  /** Resume after this sync cursor (e.g. from /v1/sync or a previous session). */
  cursor?: string;
  /** A WebSocket constructor: globalThis.WebSocket by default (Node 20 lacks one: pass `ws`). */
  WebSocket?: new (url: string) => WebSocketLike;
  /** Delay before reconnecting; default 1 s. */
  reconnectMs?: number;
}

export interface WebSocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

export interface RealtimeConnection {
  /** The last cursor seen: store it to resume in a later process. */
  readonly cursor: string | undefined;
  close(): void;
}

export function connectRealtime(opts: RealtimeOptions): RealtimeConnection {
  const WS = opts.WebSocket ?? (globalThis as { WebSocket?: RealtimeOptions['WebSocket'] }).WebSocket;
  if (!WS) throw new Error('No WebSocket in this runtime: pass { WebSocket } (e.g. the ws package on Node 20).');
  let cursor = opts.cursor;
  let closed = false;
  let socket: WebSocketLike | undefined;
  const seen = new Set<string>();

  async function open() {
    if (closed) return;
    let token: string;
    try {
      token = await opts.mintToken();
    } catch (err) {
      opts.onError?.(err as Error);
      setTimeout(open, opts.reconnectMs ?? 1000);
      return;
    }
    const url = new URL(opts.baseUrl.replace(/^http/, 'ws') + '/v1/realtime');
    url.searchParams.set('token', token);
    if (cursor) url.searchParams.set('cursor', cursor);
    if (opts.conversationId) url.searchParams.set('conversationId', opts.conversationId);
    const ws = new WS!(url.toString());
    socket = ws;
    ws.onmessage = (ev) => {
      const frame = JSON.parse(String(ev.data));
      if (frame.type === 'event') {
        const e = frame.event as RealtimeEvent;
        // The server already resumes exactly after the cursor; the id check guards a reconnect race.
        if (seen.has(e.id)) return;
        seen.add(e.id);
        if (seen.size > 10_000) seen.delete(seen.values().next().value!);
        cursor = e.cursor;
        opts.onEvent(e);
      } else if (frame.type === 'ready') {
        cursor = frame.cursor ?? cursor;
        opts.onReady?.(frame.cursor);
      }
    };
    ws.onerror = () => opts.onError?.(new Error('realtime connection error'));
    ws.onclose = () => {
      if (!closed) setTimeout(open, opts.reconnectMs ?? 1000);
    };
  }
  void open();
  return {
    get cursor() {
      return cursor;
    },
    close() {
      closed = true;
      socket?.close();
    },
  };
}
