import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * The one way a request to a tenant-supplied URL leaves Switchboard: outbound webhooks, rule
 * `call_webhook` actions, and anything else whose address an org chose. (Connector base URLs are
 * instead restricted to the provider's own hosts by their config schemas.) Without private
 * egress (WEBHOOKS_ALLOW_PRIVATE=false, the production default) only https is allowed and every
 * address the host name resolves to is checked inside the socket's own lookup, so the address we
 * check is the address we connect to (no second resolution an attacker's DNS could answer
 * differently). Redirects are never followed.
 */
const blocked = new net.BlockList();
for (const [addr, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.168.0.0', 16],
] as const) blocked.addSubnet(addr, prefix, 'ipv4');
for (const [addr, prefix] of [['::1', 128], ['::', 128], ['fc00::', 7], ['fe80::', 10]] as const) blocked.addSubnet(addr, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  return blocked.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

export type ErrorClass = 'timeout' | 'network' | 'egress_refused' | 'tls';

export interface PostResult {
  status: number | null;
  headers: http.IncomingHttpHeaders;
  /** The receiver's answer, at most RESPONSE_LIMIT bytes. */
  body: string;
  durationMs: number;
  errorClass: ErrorClass | null;
  error: string | null;
}

export const RESPONSE_LIMIT = 2048;

class EgressRefused extends Error {
  code = 'EGRESS_REFUSED';
}

type LookupCb = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

function guardedLookup(hostname: string, options: dns.LookupOptions, cb: LookupCb) {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return cb(err, '');
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return cb(new EgressRefused(`${hostname} resolves to a private address`), '');
    if (options.all) return cb(null, addresses);
    cb(null, addresses[0]!.address, addresses[0]!.family);
  });
}

function classify(err: NodeJS.ErrnoException): ErrorClass {
  if (err instanceof EgressRefused) return 'egress_refused';
  if (err.name === 'TimeoutError') return 'timeout';
  if (/CERT|SSL|TLS/i.test(err.code ?? '') || /certificate|ssl|tls/i.test(err.message)) return 'tls';
  return 'network';
}

export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; allowPrivate: boolean },
): Promise<PostResult> {
  const started = Date.now();
  const u = new URL(url);
  const done = (r: Omit<PostResult, 'durationMs'>): PostResult => ({ ...r, durationMs: Date.now() - started });
  const literal = u.hostname.replace(/^\[|\]$/g, '');
  if (!opts.allowPrivate && u.protocol !== 'https:') {
    return done({ status: null, headers: {}, body: '', errorClass: 'egress_refused', error: `${u.protocol} is not allowed (https only)` });
  }
  // Sockets skip the lookup for IP literals: check those here.
  if (!opts.allowPrivate && net.isIP(literal) && isPrivateAddress(literal)) {
    return done({ status: null, headers: {}, body: '', errorClass: 'egress_refused', error: `${literal} is a private address` });
  }
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Omit<PostResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(r));
    };
    const req = lib.request(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Switchboard-Webhooks/1' },
        lookup: opts.allowPrivate ? undefined : (guardedLookup as unknown as net.LookupFunction),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < RESPONSE_LIMIT) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          finish({ status: res.statusCode ?? null, headers: res.headers, body: Buffer.concat(chunks).subarray(0, RESPONSE_LIMIT).toString('utf8'), errorClass: null, error: null }),
        );
        res.on('error', (err) => finish({ status: res.statusCode ?? null, headers: res.headers, body: '', errorClass: classify(err), error: err.message }));
      },
    );
    // The whole exchange (connect, send, answer) must fit in the timeout, as Standard Webhooks receivers expect.
    const timer = setTimeout(() => {
      const err = new Error(`no answer within ${opts.timeoutMs} ms`);
      err.name = 'TimeoutError';
      req.destroy(err);
    }, opts.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish({ status: null, headers: {}, body: '', errorClass: classify(err), error: err.message }));
    req.end(body);
  });
}
