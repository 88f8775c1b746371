/**
 * A nock reply tuple with an explicit Content-Length: with nock 14, keep-alive clients (the
 * provider SDKs' axios / node-fetch agents) hang on a reply that has none. An object body is sent
 * as JSON; a string is sent as is (still typed JSON unless `headers` says otherwise). Header names
 * are lower case so an override replaces the default instead of sending both.
 */
export function reply(status: number, body: unknown = '', headers: Record<string, string> = {}): [number, string, Record<string, string>] {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return [status, text, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers }];
}
