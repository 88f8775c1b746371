import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { it } from 'vitest';

/**
 * The kit is published on its own: it may import its own files, node built-ins and the packages
 * its package.json declares — never core/, api/ or a connector.
 */
const kitDir = new URL('.', import.meta.url).pathname;
const declared = Object.keys((JSON.parse(readFileSync(join(kitDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

it('the kit imports only itself, node built-ins and its declared dependencies', () => {
  const offending: string[] = [];
  for (const file of sources(kitDir)) {
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'/g)) {
      const ok = spec!.startsWith('.')
        ? !relative(kitDir, resolve(file, '..', spec!)).startsWith('..')
        : spec!.startsWith('node:') || declared.includes(spec!.split('/')[0]!);
      if (!ok) offending.push(`${relative(kitDir, file)} → ${spec}`);
    }
  }
  assert.deepEqual(offending, []);
});
