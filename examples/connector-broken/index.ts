/**
 * A deliberately broken connector, exported as a plain spec (as a package built against an
 * incompatible kit would be): a bad version, an unknown capability, send declared without send(),
 * a manifest expression that does not compile and a status mapped to an unknown status.
 * Switchboard must refuse it whole, naming the package and listing every problem.
 */
export default {
  id: 'broken-sms',
  version: '1.0',
  kind: 'channel',
  displayName: 'Broken SMS',
  configSchema: { type: 'object', properties: {} },
  secretsSchema: { type: 'object', properties: {} },
  capabilities: ['messaging.send', 'messaging.teleport'],
  manifest: {
    inbound: [{ name: 'message', match: "body.type = 'message' and", emit: 'message', fields: { channel: "'sms'" } }],
    statusMap: { ok: 'arrived' },
    outbound: { message: '{ "to": to.value }' },
  },
  verify: () => ({ ok: true }),
};
