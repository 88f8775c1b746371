import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../../core/engine.ts';
import { AppError } from '../../core/errors.ts';
import { toAppError } from '../http/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { authorizeUpgrade } from './auth.ts';
import { runSession } from './session.ts';
import { createRealtimeHub } from './hub.ts';
import { recordWebSocketMinutes } from '../../core/platforms/usage.ts';

const log = createLogger('realtime');

export interface RealtimeServerOptions {
  /** Heartbeat: a ping every pingMs; a client that has not answered the previous one is dropped. */
  pingMs?: number;
}

/** Answers a refused upgrade with a plain HTTP error, like the REST API's. */
function refuse(socket: Duplex, err: AppError) {
  const body = JSON.stringify(err.toJSON());
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${err.status} ${http.STATUS_CODES[err.status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * WebSocket GET /v1/realtime on an existing HTTP server. Returns the function that closes every
 * client (1001) and detaches. Frames: {type:"event",event}, {type:"ready",cursor}; a client may
 * send {type:"ping"} and gets {type:"pong"} (browsers cannot send protocol pings).
 */
export function attachRealtime(server: http.Server, engine: Engine, opts: RealtimeServerOptions = {}): () => Promise<void> {
  // No per-message deflate: frames are small JSON written to many sockets, where compressing each
  // copy costs more CPU than the bytes it saves (and ws's default is off; this keeps it so).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });
  const hub = createRealtimeHub(engine.realtime);
  const alive = new WeakMap<WebSocket, boolean>();

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    authorizeUpgrade(engine, req).then(
      (params) => {
        if (socket.destroyed) return;
        wss.handleUpgrade(req, socket, head, (ws) => {
          alive.set(ws, true);
          ws.on('pong', () => alive.set(ws, true));
          ws.on('error', (err) => log.debug({ err: err.message }, 'websocket error'));
          ws.on('message', (data) => {
            let msg: { type?: unknown } | undefined;
            try {
              msg = JSON.parse(String(data));
            } catch {}
            if (msg?.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
          });
          // Usage (core/platforms/usage.ts): the connection's minutes, when it closes. A close during
          // shutdown may find the database gone: that loses a few seconds of usage, never a request.
          const opened = Date.now();
          ws.once('close', () => {
            recordWebSocketMinutes(engine, params.orgId, Date.now() - opened, params.view ? 'widget' : 'api').catch((err) => log.debug({ err: (err as Error).message }, 'websocket usage not recorded'));
          });
          void runSession(ws, engine, hub, params);
        });
      },
      (err) => {
        const e = toAppError(err);
        if (e.status >= 500) log.error({ err: (err as Error)?.message }, 'realtime upgrade failed');
        refuse(socket, e);
      },
    );
  };
  server.on('upgrade', onUpgrade);

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, opts.pingMs ?? 30_000);
  heartbeat.unref();

  return async () => {
    server.off('upgrade', onUpgrade);
    clearInterval(heartbeat);
    for (const ws of wss.clients) ws.close(1001, 'Server shutting down.');
    // wss.close() resolves once every client is gone; one that does not answer the close is cut off.
    const grace = setTimeout(() => wss.clients.forEach((ws) => ws.terminate()), 1_000);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    clearTimeout(grace);
  };
}
