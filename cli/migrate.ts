import { loadConfig } from '../core/config.ts';
import { createEngine } from '../core/engine.ts';
import { output, parse } from './args.ts';
import { assertDataDirFree } from './admin-file.ts';

const HELP = `Usage: switchboard migrate [--json]

Applies pending migrations (main and pii sets) and checks the master key against the database.
"switchboard start" does the same at every start; run this before rolling out a new version in
production. In embedded mode stop the server first (it holds the data dir).
`;

export async function run(args: string[]): Promise<number> {
  const p = parse('migrate', args, { json: { type: 'boolean' } });
  if (!p) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig(process.env);
  if (config.mode === 'embedded') assertDataDirFree(config.dataDir, 'migrating (it migrated when it started)');
  let migrated: string[] = [];
  const engine = await createEngine(config, {
    asOwner: async (owner) => {
      migrated = owner.migrated;
    },
  });
  await engine.close();
  const human = migrated.length ? `Ran ${migrated.length} migration(s):\n${migrated.map((m) => `  ${m}`).join('\n')}` : 'Database is up to date.';
  output(!!p.values.json, { migrated }, human);
  return 0;
}
