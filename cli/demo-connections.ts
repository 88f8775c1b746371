import type { Engine } from '../core/engine.ts';
import { createConnection } from '../core/connections/service.ts';
import { demoSandboxConnections } from '../app/connectors.ts';

/**
 * The demo org's sandbox connections: every flow (inbound, send, status callbacks through the
 * signed ingress) works at once, without provider credentials. Connectors not installed are skipped.
 * Each is reported with its id and, for connectors that receive webhooks, its inbound URL (the
 * banner prints them, so a newcomer can post a provider-shaped request at once).
 */
export interface DemoConnectionInfo {
  id: string;
  name: string;
  connector: string;
  channels: string[];
  inboundUrl: string | null;
}

export async function installDemoConnections(engine: Engine, orgId: string): Promise<DemoConnectionInfo[]> {
  const deps = { connectors: engine.connectors, publicUrl: engine.config.publicUrl };
  const installed = new Map(engine.connectors.catalog().map((c) => [c.id, c]));
  return engine.tenant(orgId, async (tx) => {
    const out: DemoConnectionInfo[] = [];
    for (const demo of demoSandboxConnections(engine.config.publicUrl).filter((d) => installed.has(d.connector))) {
      const view = await createConnection(tx, deps, { ...demo, sandbox: true });
      const def = engine.connectors.resolve(demo.connector, view.major);
      out.push({ id: view.id, name: demo.name, connector: demo.connector, channels: [...(def?.channels ?? [])], inboundUrl: def?.receivesWebhooks === false ? null : view.inboundUrl });
    }
    return out;
  });
}
