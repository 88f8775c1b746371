import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '../../core/errors.ts';

/**
 * Requests Node's HTTP parser refuses before any route runs (headers plus request line over
 * --max-http-header-size, 16 KB by default; a head that does not parse) get Node's bare status
 * line. Answer them in the API's JSON error envelope like every other refusal.
 */
export function answerClientErrors(server: http.Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const e =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new AppError('headers_too_large', 'The request line and headers must stay under 16 KB together (long filters belong in fewer, shorter query parameters).')
        : new AppError('validation_failed', 'The request could not be parsed as HTTP/1.1.', { status: 400 });
    const body = JSON.stringify(e.toJSON());
    const reason = e.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
    socket.end(`HTTP/1.1 ${e.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
