import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineConnector, isConnectorDefinition, type AnyConnectorDefinition, type AnyConnectorSpec, type JsonSchema } from './define.ts';
import { ConnectorDefinitionError } from './errors.ts';
import { migrateConfig } from './mapping.ts';
import { compareSemver, parseSemver } from './semver.ts';
import type { Capability, ConnectorKind } from './types.ts';

export interface CatalogVersion {
  version: string;
  major: number;
  capabilities: Capability[];
  configSchema: JsonSchema;
  secretsSchema: JsonSchema;
}

export interface CatalogEntry {
  id: string;
  kind: ConnectorKind;
  displayName: string;
  description?: string;
  icon?: string;
  /** Newest first; the entry's kind/displayName/icon are the newest version's. */
  versions: CatalogVersion[];
}

export interface Registry {
  /** Adds a definition (a plain spec is validated first). Refuses a second id@version. */
  register(def: AnyConnectorDefinition | AnyConnectorSpec, opts?: { changelog?: string }): AnyConnectorDefinition;
  /** Imports an npm package (or a path) whose default export is a connector, validates and registers it. */
  load(specifier: string): Promise<AnyConnectorDefinition>;
  get(id: string, version: string): AnyConnectorDefinition | undefined;
  /** The highest version with that major: a connection pins a major, never a minor. */
  resolve(id: string, major: number): AnyConnectorDefinition | undefined;
  catalog(): CatalogEntry[];
  /** The CHANGELOG.md section of that version ("## 1.2.0 …" up to the next "## "), or null when it ships none. */
  changelog(id: string, version: string): string | null;
  /** Upgrades a connection's config between majors with the target version's migrations, then validates it. */
  upgradeConfig(id: string, config: Record<string, unknown>, fromMajor: number, toMajor: number): Promise<Record<string, unknown>>;
}

export interface RegistryOptions {
  /** Directory package names resolve from (node_modules searched upward); default process.cwd(). */
  resolveFrom?: string;
}

type ExportsField = string | null | ExportsField[] | { [key: string]: ExportsField };

// The "." entry of package.json "exports", preferring the conditions an ESM import would use.
function exportsEntry(exp: ExportsField | undefined): string | undefined {
  if (typeof exp === 'string') return exp;
  if (Array.isArray(exp)) return exp.map(exportsEntry).find(Boolean);
  if (!exp || typeof exp !== 'object') return undefined;
  if ('.' in exp) return exportsEntry(exp['.']);
  for (const cond of ['import', 'node', 'default']) if (cond in exp) return exportsEntry(exp[cond]);
  return undefined;
}

/** The entry file a package's package.json names (exports ".", then module, then main); undefined when it names none. */
export function declaredEntry(pkgDir: string): string | undefined {
  const pkgJson = join(pkgDir, 'package.json');
  if (!existsSync(pkgJson)) return undefined;
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { exports?: ExportsField; module?: string; main?: string };
  const entry = exportsEntry(pkg.exports) ?? pkg.module ?? pkg.main;
  return entry ? join(pkgDir, entry) : undefined;
}

/**
 * Finds a package's entry file by walking node_modules upward from `from`. Done by hand because
 * import() resolves from the kit's own location (which, for an app depending on the kit, is not
 * where the app's connector packages live) and require.resolve ignores ESM-only "exports".
 */
function resolvePackage(name: string, from: string): string {
  for (let dir = resolvePath(from); ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name);
    const pkgJson = join(pkgDir, 'package.json');
    if (existsSync(pkgJson)) return declaredEntry(pkgDir) ?? join(pkgDir, 'index.js');
    if (dirname(dir) === dir) throw new Error(`not installed (no node_modules/${name} from ${from} upward)`);
  }
}

/** The spec part of an exported connector: a definition (from any copy of the kit) minus what defineConnector derived. */
function specOf(exported: Record<string, unknown>): AnyConnectorSpec {
  if (typeof exported.validateConfig !== 'function') return exported as unknown as AnyConnectorSpec;
  const { major: _major, validateConfig: _config, validateSecrets: _secrets, ...spec } = exported;
  return spec as unknown as AnyConnectorSpec;
}

/** The section of a Keep-a-Changelog style file for one version: "## 1.2.0", "## [1.2.0] - 2026-01-02", "## v1.2.0". */
export function changelogEntry(markdown: string, version: string): string | null {
  const lines = markdown.split(/\r?\n/);
  const esc = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const head = new RegExp(`^##\\s+\\[?v?${esc}\\]?(\\s|$)`);
  const start = lines.findIndex((l) => head.test(l));
  if (start < 0) return null;
  const end = lines.findIndex((l, i) => i > start && /^##\s/.test(l));
  const body = lines.slice(start + 1, end < 0 ? undefined : end).join('\n').trim();
  return body || null;
}

/** A package's CHANGELOG.md: beside its entry file, or in the package root above a dist/ or src/ entry. */
function packageChangelog(entryFile: string): string | undefined {
  for (const dir of [dirname(entryFile), dirname(dirname(entryFile))]) {
    const file = join(dir, 'CHANGELOG.md');
    if (existsSync(file)) return readFileSync(file, 'utf8');
  }
  return undefined;
}

export function createRegistry(opts: RegistryOptions = {}): Registry {
  const byId = new Map<string, AnyConnectorDefinition[]>();
  const changelogs = new Map<string, string>();

  const registry: Registry = {
    register(input, extra = {}) {
      const def = isConnectorDefinition(input) ? input : defineConnector(input as AnyConnectorSpec);
      const versions = byId.get(def.id) ?? [];
      if (versions.some((v) => v.version === def.version)) {
        throw new ConnectorDefinitionError(def.id, [`${def.id}@${def.version} is already registered`]);
      }
      if (extra.changelog !== undefined) changelogs.set(`${def.id}@${def.version}`, extra.changelog);
      versions.push(def);
      versions.sort((a, b) => compareSemver(b.version, a.version));
      byId.set(def.id, versions);
      return def;
    },

    async load(specifier) {
      let mod: { default?: unknown };
      let file: string;
      try {
        file = isAbsolute(specifier) || specifier.startsWith('.') ? resolvePath(opts.resolveFrom ?? process.cwd(), specifier) : resolvePackage(specifier, opts.resolveFrom ?? process.cwd());
        mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
      } catch (err) {
        throw new ConnectorDefinitionError(undefined, [`cannot be imported: ${(err as Error).message}`], specifier);
      }
      const exported = mod.default;
      if (!exported || typeof exported !== 'object') {
        throw new ConnectorDefinitionError(undefined, ['default export: must be a connector definition (defineConnector({...}))'], specifier);
      }
      try {
        // Re-validated even when already defined: the package may carry an older kit. What
        // defineConnector derived (major, validators) is left out: the spec is what gets checked.
        const changelog = packageChangelog(file);
        return registry.register(defineConnector(specOf(exported as Record<string, unknown>)), changelog === undefined ? {} : { changelog });
      } catch (err) {
        if (ConnectorDefinitionError.is(err)) throw new ConnectorDefinitionError(err.connector, err.problems, specifier);
        throw err;
      }
    },

    get(id, version) {
      return byId.get(id)?.find((d) => d.version === version);
    },

    resolve(id, major) {
      // A stable release wins over any pre-release of the same major; a pre-release only serves
      // a major that has nothing else yet.
      const same = byId.get(id)?.filter((d) => d.major === major) ?? [];
      return same.find((d) => parseSemver(d.version)!.prerelease.length === 0) ?? same[0];
    },

    catalog() {
      return [...byId.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([id, versions]) => {
          const newest = versions[0]!;
          return {
            id,
            kind: newest.kind,
            displayName: newest.displayName,
            ...(newest.description === undefined ? {} : { description: newest.description }),
            ...(newest.icon === undefined ? {} : { icon: newest.icon }),
            versions: versions.map((d) => ({
              version: d.version,
              major: d.major,
              capabilities: [...d.capabilities],
              configSchema: d.configSchema,
              secretsSchema: d.secretsSchema,
            })),
          };
        });
    },

    changelog(id, version) {
      const markdown = changelogs.get(`${id}@${version}`);
      return markdown === undefined ? null : changelogEntry(markdown, version);
    },

    async upgradeConfig(id, config, fromMajor, toMajor) {
      const target = registry.resolve(id, toMajor);
      if (!target) throw new Error(`connector ${id} has no installed version with major ${toMajor}`);
      const upgraded = await migrateConfig(target.manifest, config, fromMajor, toMajor);
      const problems = target.validateConfig(upgraded);
      if (problems.length) throw new Error(`upgraded ${id} config is invalid: ${problems.join('; ')}`);
      return upgraded;
    },
  };
  return registry;
}
