import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, UsageError } from './args.ts';
import { scaffoldFiles } from './connector-templates.ts';
import { validateConnectorPackage } from './connector-validate.ts';

const HELP = `Usage: switchboard connector new NAME [--dir DIR] [--force]
       switchboard connector validate PATH

new       Scaffolds a connector package into the current directory (or --dir): package.json,
          index.ts (the definition), manifest.json, fixtures/, connector.test.mjs, README.md,
          CHANGELOG.md. Its tests pass as generated: run "node --test" there. NAME is the
          connector id: lowercase letters, digits, "-" or "_". Existing files are never
          overwritten unless --force.
validate  Loads a connector package (directory or entry file) as Switchboard does at start and
          lists every problem (definition, manifest, fixtures, README / CHANGELOG). Exit code 1
          when there is any.
`;

const ID = /^[a-z][a-z0-9_-]{0,63}$/;
const KIT_DIR = fileURLToPath(new URL('../connectors/kit/', import.meta.url));

const displayNameOf = (id: string) => id.split(/[-_]/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');

/**
 * Links the package's dependencies to this Switchboard's copies, as `npm install` of a file:
 * dependency would: the scaffold runs its tests at once, offline. `npm install` replaces the links.
 */
function linkDependencies(dir: string): void {
  const tsxDir = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  for (const [name, target] of [['@switchboard/connector-kit', KIT_DIR], ['tsx', tsxDir]] as const) {
    const link = path.join(dir, 'node_modules', name);
    if (fs.existsSync(link)) continue;
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(target, link, 'dir');
  }
}

export function scaffold(id: string, dir: string, force = false): string[] {
  if (!ID.test(id)) throw new UsageError(`"${id}" is not a connector id: lowercase letters, digits, "-" or "_", starting with a letter.`, 'connector');
  const files = scaffoldFiles({ id, displayName: displayNameOf(id), kitSpec: `file:${KIT_DIR.replace(/\/$/, '')}` });
  const clashes = Object.keys(files).filter((f) => fs.existsSync(path.join(dir, f)));
  if (clashes.length && !force) throw new UsageError(`${clashes.join(', ')} already exist in ${dir}; use --force to overwrite.`, 'connector');
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  linkDependencies(dir);
  return Object.keys(files);
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h') {
    process.stdout.write(HELP);
    return sub ? 0 : 2;
  }
  if (sub === 'new') {
    const p = parse('connector', rest, { dir: { type: 'string' }, force: { type: 'boolean' } }, 1);
    if (!p) {
      process.stdout.write(HELP);
      return 0;
    }
    const id = p.positionals[0];
    if (!id) throw new UsageError('connector new needs a NAME.', 'connector');
    const dir = path.resolve(typeof p.values.dir === 'string' ? p.values.dir : process.cwd());
    fs.mkdirSync(dir, { recursive: true });
    const files = scaffold(id, dir, p.values.force === true);
    process.stdout.write(`Scaffolded connector "${id}" in ${dir}:\n${files.map((f) => `  ${f}`).join('\n')}\n\nNext: node --test, then switchboard connector validate ${path.relative(process.cwd(), dir) || '.'}\n`);
    return 0;
  }
  if (sub === 'validate') {
    const p = parse('connector', rest, {}, 1);
    if (!p) {
      process.stdout.write(HELP);
      return 0;
    }
    const target = p.positionals[0];
    if (!target) throw new UsageError('connector validate needs a PATH.', 'connector');
    const { definition: def, problems } = await validateConnectorPackage(target);
    if (problems.length) {
      process.stderr.write(`${target}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((x) => `  - ${x}`).join('\n')}\n`);
      return 1;
    }
    process.stdout.write(`${target}: ok: ${def!.id}@${def!.version} (${def!.kind}, ${def!.displayName}): ${def!.capabilities.join(', ')}\n`);
    return 0;
  }
  throw new UsageError(`Unknown subcommand "${sub}" (new or validate).`, 'connector');
}
