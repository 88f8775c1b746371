import type { Engine } from '../core/engine.ts';
import { createConnection } from '../core/connections/service.ts';
import { demoSandboxConnections } from '../connectors/registry.ts';

/**
 * The demo org's sandbox connections: every flow (inbound, send, status callbacks through the
 * signed ingress) works at once, without provider credentials. Connectors not installed are skipped.
 */
export async function installDemoConnections(engine: Engine, orgId: string): Promise<string[]> {
  const deps = { connectors: engine.connectors, publicUrl: engine.config.publicUrl };
  const installed = new Set(engine.connectors.catalog().map((c) => c.id));
  return engine.tenant(orgId, async (tx) => {
    const names: string[] = [];
    for (const demo of demoSandboxConnections().filter((d) => installed.has(d.connector))) {
      await createConnection(tx, deps, { ...demo, sandbox: true });
      names.push(demo.name);
    }
    return names;
  });
}
