import { loadConfig } from '../core/config.ts';
import { createOrg, type Org } from '../core/orgs.ts';
import { deleteOrg, listOrgs } from '../core/admin.ts';
import { orgIdArg, output, parse, requireString, UsageError } from './args.ts';
import { viaServerOrDirect } from './target.ts';

const HELP = `Usage:
  switchboard org create --name NAME [--json]   Create an org and its first API key (admin scope)
  switchboard org list [--json]                 List orgs
  switchboard org delete ID --yes [--json]      Delete an org by destroying its keys (crypto-shredding)

With --json the result is one JSON line, e.g. {"org":{"id":"…","name":"…"},"apiKey":"sb_live_…"}.
Works while the embedded server runs (through its local admin endpoint) and without it.
`;

async function create(args: string[]): Promise<number> {
  const p = parse('org create', args, { name: { type: 'string' }, json: { type: 'boolean' } });
  if (!p) return help();
  const name = requireString(p, 'name', 'org create');
  if (name.length > 200) throw new UsageError('--name must be at most 200 characters.', 'org create');
  const config = loadConfig(process.env);
  const result = await viaServerOrDirect(
    config,
    (client) => client.call<{ org: Org; apiKey: string }>('POST', '/internal/admin/orgs', { name }),
    (engine) => createOrg(engine, { name }),
  );
  output(
    !!p.values.json,
    { org: result.org, apiKey: result.apiKey },
    `Created org "${result.org.name}" (id ${result.org.id}).\nAPI key (shown only this once, store it now):\n\n  ${result.apiKey}\n`,
  );
  return 0;
}

async function list(args: string[]): Promise<number> {
  const p = parse('org list', args, { json: { type: 'boolean' } });
  if (!p) return help();
  const config = loadConfig(process.env);
  const { orgs } = await viaServerOrDirect(
    config,
    (client) => client.call<{ orgs: Org[] }>('GET', '/internal/admin/orgs'),
    async (engine) => ({ orgs: await listOrgs(engine) }),
  );
  const human = orgs.length ? orgs.map((o) => `${o.id}  ${o.createdAt}  ${o.name}`).join('\n') : 'No orgs.';
  output(!!p.values.json, { orgs }, human);
  return 0;
}

async function remove(args: string[]): Promise<number> {
  const p = parse('org delete', args, { yes: { type: 'boolean' }, json: { type: 'boolean' } }, 1);
  if (!p) return help();
  if (!p.positionals[0]) throw new UsageError('Give the id of the org to delete.', 'org delete');
  if (!p.values.yes) {
    throw new UsageError('Deleting destroys the org\'s keys: all its data becomes unreadable, for good. Add --yes to confirm.', 'org delete');
  }
  const orgId = orgIdArg(p.positionals[0]);
  const config = loadConfig(process.env);
  await viaServerOrDirect(
    config,
    (client) => client.call('DELETE', `/internal/admin/orgs/${orgId}`),
    (engine) => deleteOrg(engine, orgId),
  );
  output(!!p.values.json, { deleted: orgId }, `Deleted org ${orgId}: its keys are destroyed and its API keys revoked.`);
  return 0;
}

function help(): number {
  process.stdout.write(HELP);
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'create') return create(rest);
  if (sub === 'list') return list(rest);
  if (sub === 'delete') return remove(rest);
  if (sub === undefined || sub === '--help' || sub === '-h') return help();
  throw new UsageError(`Unknown subcommand "${sub}" (create, list, delete).`, 'org');
}
