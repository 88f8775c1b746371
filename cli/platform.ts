import { loadConfig } from '../core/config.ts';
import { createPlatform, type PlatformView } from '../core/platforms/platforms.ts';
import { output, parse, requireString, UsageError } from './args.ts';
import { viaServerOrDirect } from './target.ts';

const HELP = `Usage:
  switchboard platform create --name NAME [--json]   Create a platform and its first API key (platform:admin)

With --json the result is one JSON line: {"platform":{"id":…,"name":…},"apiKey":"sbp_live_…"}.
The key is shown only this once. With it the platform creates and runs its orgs through
/v1/platform/… and acts on one org with the header Switchboard-Org: <org id> (docs/platforms.md).
`;

async function create(args: string[]): Promise<number> {
  const p = parse('platform create', args, { name: { type: 'string' }, json: { type: 'boolean' } });
  if (!p) return help();
  const name = requireString(p, 'name', 'platform create');
  if (name.length > 200) throw new UsageError('--name must be at most 200 characters.', 'platform create');
  const config = loadConfig(process.env);
  const result = await viaServerOrDirect(
    config,
    (client) => client.call<{ platform: PlatformView; apiKey: string }>('POST', '/internal/admin/platforms', { name }),
    (engine) => createPlatform(engine.db, { name }),
  );
  output(
    !!p.values.json,
    { platform: { id: result.platform.id, name: result.platform.name }, apiKey: result.apiKey },
    `Created platform "${result.platform.name}" (id ${result.platform.id}).\nPlatform API key (shown only this once, store it now):\n\n  ${result.apiKey}\n`,
  );
  return 0;
}

function help(): number {
  process.stdout.write(HELP);
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'create') return create(rest);
  if (sub === undefined || sub === '--help' || sub === '-h') return help();
  throw new UsageError(`Unknown subcommand "${sub}" (create).`, 'platform');
}
