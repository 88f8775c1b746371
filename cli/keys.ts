import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, parseMasterKey, type Config } from '../core/config.ts';
import { createEngine } from '../core/engine.ts';
import { loadMasterKey, MASTER_KEY_FILE, masterFingerprint } from '../core/crypto/master.ts';
import { createApiKey, rotateDataKeys, rotateMasterKey } from '../core/admin.ts';
import { invalid } from '../core/errors.ts';
import { orgIdArg, output, parse, UsageError } from './args.ts';
import { assertDataDirFree } from './admin-file.ts';
import { viaServerOrDirect } from './target.ts';

const HELP = `Usage:
  switchboard keys create --org ID [--name NAME] [--scopes a,b] [--json]
      A new API key for the org (admin scope unless --scopes says otherwise), shown only this
      once: the way back in when the org's key is lost. Works while the embedded server runs.
  switchboard keys rotate [--org ID] [--json]
      A new data key version for every org (or one): new writes use it, older versions keep
      decrypting. Works while the embedded server runs.
  switchboard keys rotate --new-master-key KEY [--json]
      Re-wraps every org's keys under a new master key (32 bytes, base64 or hex) and records its
      fingerprint. Stop every Switchboard process first; start them again with the new key.
      Generate one with: node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))"
`;

type Rotated = { orgId: string; version: number }[];

async function rotateData(config: Config, orgId: string | undefined, json: boolean): Promise<number> {
  const { rotated } = await viaServerOrDirect(
    config,
    (client) => client.call<{ rotated: Rotated }>('POST', '/internal/admin/keys/rotate', orgId ? { orgId } : {}),
    async (engine) => ({ rotated: await rotateDataKeys(engine, orgId) }),
  );
  const human = rotated.length
    ? rotated.map((r) => `org ${r.orgId}: data key version ${r.version} is now active`).join('\n')
    : 'No orgs: nothing to rotate.';
  output(json, { rotated }, human);
  return 0;
}

/** Replaces the embedded key file atomically, owner-only. */
function writeKeyFile(dataDir: string, key: Buffer): string {
  const file = path.join(dataDir, MASTER_KEY_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, key.toString('base64') + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
  return file;
}

async function rotateMaster(config: Config, raw: string, json: boolean): Promise<number> {
  const newMaster = parseMasterKey(raw);
  if (!newMaster) throw invalid('--new-master-key', 'must be 32 bytes, base64 (44 chars) or hex (64 chars)');
  // Running processes hold the old key (and PGlite allows one process): this is an offline change.
  if (config.mode === 'embedded') assertDataDirFree(config.dataDir, 'changing the master key');
  const oldMaster = loadMasterKey(config);
  if (oldMaster.equals(newMaster)) throw invalid('--new-master-key', 'is the key already in use');
  let rewrapped = 0;
  const engine = await createEngine(config, {
    asOwner: async ({ main }) => {
      rewrapped = await rotateMasterKey(main, oldMaster, newMaster);
    },
  });
  await engine.close();
  const fingerprint = masterFingerprint(newMaster);
  let instruction: string;
  if (config.masterKey) {
    instruction =
      'Set SWITCHBOARD_MASTER_KEY to the new key for every Switchboard process (api and worker) before starting them again; ' +
      'the old key is refused from now on. Back the new key up.';
  } else {
    const file = writeKeyFile(config.dataDir, newMaster);
    instruction = `${file} now holds the new key. Back it up; the old key is refused from now on.`;
  }
  output(
    json,
    { rewrapped, fingerprint, instruction },
    `Re-wrapped ${rewrapped} data key(s) under the new master key (fingerprint ${fingerprint}).\n${instruction}`,
  );
  return 0;
}

async function createKey(args: string[]): Promise<number> {
  const p = parse('keys create', args, { org: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean' } });
  if (!p) {
    process.stdout.write(HELP);
    return 0;
  }
  if (typeof p.values.org !== 'string') throw new UsageError('--org is required (the org id; "switchboard org list" shows them).', 'keys create');
  const orgId = orgIdArg(p.values.org);
  const name = typeof p.values.name === 'string' ? p.values.name : undefined;
  const scopes = typeof p.values.scopes === 'string' ? p.values.scopes.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  const config = loadConfig(process.env);
  const opts = { ...(name ? { name } : {}), ...(scopes ? { scopes } : {}) };
  const { key, secret } = await viaServerOrDirect(
    config,
    (client) => client.call<Awaited<ReturnType<typeof createApiKey>>>('POST', '/internal/admin/api-keys', { orgId, ...opts }),
    (engine) => createApiKey(engine, orgId, opts),
  );
  output(!!p.values.json, { key, apiKey: secret }, `Created API key "${key.name}" (${key.scopes.join(', ')}) for org ${orgId}. Shown only this once, store it now:\n\n  ${secret}\n`);
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  if (sub === 'create') return createKey(rest);
  if (sub !== 'rotate') throw new UsageError(`Unknown subcommand "${sub}" (create, rotate).`, 'keys');
  const p = parse('keys rotate', rest, { org: { type: 'string' }, 'new-master-key': { type: 'string' }, json: { type: 'boolean' } });
  if (!p) {
    process.stdout.write(HELP);
    return 0;
  }
  const newMaster = p.values['new-master-key'];
  if (typeof newMaster === 'string' && p.values.org !== undefined) {
    throw new UsageError('--new-master-key re-wraps the keys of every org; it does not take --org.', 'keys rotate');
  }
  const config = loadConfig(process.env);
  if (typeof newMaster === 'string') return rotateMaster(config, newMaster, !!p.values.json);
  const orgId = typeof p.values.org === 'string' ? orgIdArg(p.values.org) : undefined;
  return rotateData(config, orgId, !!p.values.json);
}
