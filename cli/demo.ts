import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../core/engine.ts';
import { createOrg, listOrgIds, type Org } from '../core/orgs.ts';
import { installDemoConnections, type DemoConnectionInfo } from './demo-connections.ts';
import { createUser, generatePassword } from '../core/users/create.ts';

/**
 * The demo org of the embedded quickstart: created on the first start only, so `npm start` hands
 * a newcomer a working API key at once. A marker file in the data dir remembers it (the API key is
 * shown once and never stored in clear).
 */
export const DEMO_FILE = 'demo-org.json';
export const DEMO_NAME = 'Demo org';
/** The demo org's dashboard owner; the password is generated and printed once, like the API key. */
export const DEMO_OWNER_EMAIL = 'owner@demo.example';

export type DemoOrg = { created: true; org: Org; apiKey: string; connections: DemoConnectionInfo[]; owner: { email: string; password: string } } | { created: false; orgId: string | null };

export async function ensureDemoOrg(engine: Engine): Promise<DemoOrg> {
  const file = path.join(engine.config.dataDir, DEMO_FILE);
  if (fs.existsSync(file)) {
    const marker = JSON.parse(fs.readFileSync(file, 'utf8')) as { orgId?: string | null };
    return { created: false, orgId: marker.orgId ?? null };
  }
  // A data dir that already has orgs (e.g. a crash right after creating the demo org) gets none.
  const write = (orgId: string | null) =>
    fs.writeFileSync(file, JSON.stringify({ orgId, createdAt: new Date().toISOString() }) + '\n', { mode: 0o600 });
  if ((await listOrgIds(engine.db)).length) {
    write(null);
    return { created: false, orgId: null };
  }
  const { org, apiKey } = await createOrg(engine, { name: DEMO_NAME });
  const owner = { email: DEMO_OWNER_EMAIL, password: generatePassword() };
  await createUser(engine, org.id, { ...owner, name: 'Demo owner', role: 'owner' }, { type: 'system', id: null });
  const connections = await installDemoConnections(engine, org.id);
  write(org.id);
  return { created: true, org, apiKey, connections, owner };
}
