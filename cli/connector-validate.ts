import fs from 'node:fs';
import path from 'node:path';
import { ConnectorDefinitionError, createRegistry, declaredEntry, normalizedEventSchema, type AnyConnectorDefinition } from '../connectors/kit/index.ts';
import { createAjv } from '../connectors/kit/ajv.ts';

/**
 * `switchboard connector validate PATH`: loads a connector package (a directory with its
 * package.json, or an entry file) the way the registry will at start, and lists every problem:
 * the definition (schemas, manifest, expressions, declared capabilities), the fixtures, and the
 * README / CHANGELOG every connector ships with.
 */
export interface Validation {
  definition?: AnyConnectorDefinition;
  problems: string[];
}

/** The package's entry file: exports ".", then module / main, then index.ts / index.js. */
export function packageEntry(dir: string): string {
  const declared = declaredEntry(dir);
  if (declared) return path.resolve(declared);
  const found = ['index.ts', 'index.js', 'index.mjs'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!found) throw new Error(`no package.json entry and no index.ts / index.js in ${dir}`);
  return found;
}

const checkEvent = createAjv().compile(normalizedEventSchema);

function fixtureProblems(dir: string): string[] {
  const fixturesDir = path.join(dir, 'fixtures');
  if (!fs.existsSync(fixturesDir)) return ['fixtures/: missing (ship documented provider payloads to test verify → map)'];
  const problems: string[] = [];
  const files = fs.readdirSync(fixturesDir).filter((f) => f.endsWith('.json'));
  if (!files.length) problems.push('fixtures/: no *.json fixture');
  for (const file of files) {
    let fixture: { name?: unknown; request?: { body?: unknown }; expect?: unknown[] };
    try {
      fixture = JSON.parse(fs.readFileSync(path.join(fixturesDir, file), 'utf8'));
    } catch (err) {
      problems.push(`fixtures/${file}: not JSON (${(err as Error).message})`);
      continue;
    }
    if (typeof fixture.name !== 'string') problems.push(`fixtures/${file}: needs a "name"`);
    if (fixture.request?.body === undefined) problems.push(`fixtures/${file}: needs "request.body" (the provider's payload, byte for byte)`);
    for (const [i, event] of (fixture.expect ?? []).entries()) {
      if (!checkEvent(event)) problems.push(`fixtures/${file}: expect/${i} is not a normalized event (${checkEvent.errors?.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')})`);
    }
  }
  return problems;
}

export async function validateConnectorPackage(target: string): Promise<Validation> {
  const abs = path.resolve(target);
  if (!fs.existsSync(abs)) return { problems: [`${target}: no such file or directory`] };
  const isDir = fs.statSync(abs).isDirectory();
  const problems: string[] = [];
  let definition: AnyConnectorDefinition | undefined;
  try {
    definition = await createRegistry().load(isDir ? packageEntry(abs) : abs);
  } catch (err) {
    problems.push(...(ConnectorDefinitionError.is(err) ? err.problems : [(err as Error).message]));
  }
  if (isDir) {
    for (const doc of ['README.md', 'CHANGELOG.md']) if (!fs.existsSync(path.join(abs, doc))) problems.push(`${doc}: missing`);
    if (definition?.verify) problems.push(...fixtureProblems(abs));
  }
  return { ...(definition ? { definition } : {}), problems };
}
