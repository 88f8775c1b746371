import { useEffect, useRef, useState } from 'react';
import { post } from './client.ts';
import type { EngineEvent } from './types.ts';

/**
 * The org's live feed over WebSocket /v1/realtime. A browser cannot send an Authorization header
 * on a WebSocket, so the hook mints a short-lived token with the session (POST /v1/realtime/tokens)
 * and connects with ?token=. On a drop it reconnects (backoff up to 15 s) with the last cursor it
 * saw, so the server replays what was missed: nothing falls in the gap.
 */
export type RealtimeState = 'connecting' | 'live' | 'offline';

export function useRealtime(onEvent: (e: EngineEvent) => void, opts: { conversationId?: string; enabled?: boolean } = {}): RealtimeState {
  const [state, setState] = useState<RealtimeState>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const enabled = opts.enabled ?? true;
  const conversationId = opts.conversationId;

  useEffect(() => {
    if (!enabled) return;
    let ws: WebSocket | null = null;
    let cursor: string | null = null;
    let stopped = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let ping: ReturnType<typeof setInterval> | undefined;

    const retry = () => {
      if (stopped) return;
      setState('offline');
      const delay = Math.min(15_000, 500 * 2 ** attempt++);
      timer = setTimeout(connect, delay);
    };
    async function connect() {
      if (stopped) return;
      setState((s) => (s === 'live' ? s : 'connecting'));
      let token: string;
      try {
        token = (await post<{ token: string }>('/v1/realtime/tokens', conversationId ? { conversationId, ttlSeconds: 60 } : { ttlSeconds: 60 })).token;
      } catch {
        return retry();
      }
      if (stopped) return;
      const url = new URL('/v1/realtime', window.location.href);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      url.searchParams.set('token', token);
      if (cursor) url.searchParams.set('cursor', cursor);
      if (conversationId) url.searchParams.set('conversationId', conversationId);
      ws = new WebSocket(url);
      ws.onmessage = (m) => {
        let frame: { type?: string; event?: EngineEvent; cursor?: string };
        try {
          frame = JSON.parse(String(m.data));
        } catch {
          return;
        }
        if (frame.type === 'ready') {
          attempt = 0;
          if (frame.cursor) cursor = frame.cursor;
          setState('live');
        } else if (frame.type === 'event' && frame.event) {
          cursor = frame.event.cursor;
          handler.current(frame.event);
        }
      };
      ws.onclose = () => {
        clearInterval(ping);
        ws = null;
        retry();
      };
      // Browsers cannot answer protocol pings from script; an app-level ping keeps proxies from idling us out.
      ping = setInterval(() => ws?.readyState === WebSocket.OPEN && ws.send('{"type":"ping"}'), 25_000);
    }
    void connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(ping);
      if (ws) {
        ws.onclose = null;
        ws.close(1000);
      }
    };
  }, [enabled, conversationId]);
  return state;
}
