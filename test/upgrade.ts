import { WebSocket } from 'ws';

/**
 * How the server answered a WebSocket upgrade: 101 when it opened (then closed at once), or the
 * refusal's HTTP status and JSON body. `headers` may carry Origin, as a browser's handshake does.
 */
export function upgradeAnswer(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      resolve({ status: 101, body: null });
    });
    ws.once('error', (err) => reject(err));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null }));
    });
  });
}
