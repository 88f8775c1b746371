import { loadConfig } from '../core/config.ts';
import { verifyOrgs, type VerifyResult } from '../core/audit/verify.ts';
import { orgIdArg, output, parse, UsageError } from './args.ts';
import { viaServerOrDirect } from './target.ts';

const HELP = `Usage:
  switchboard audit verify [--org ID] [--json]
      Recomputes the hash chain of every org's audit trail (or one org's, deleted orgs included)
      and names the first entry that was edited, deleted (a gap, or the newest gone) or moved.
      Exit code 0: every chain is intact; 1: a chain is broken (or the check failed).
      Works while the embedded server runs (through its local admin endpoint) and without it.
`;

function describe(r: VerifyResult): string {
  if (r.ok) return `org ${r.orgId}: chain intact (${r.checked} entries${r.unsealed ? `, ${r.unsealed} not sealed yet` : ''})`;
  const b = r.firstBad!;
  const entry = b.id ? `entry ${b.id} at position ${b.position}` : `position ${b.position}`;
  return `org ${r.orgId}: BROKEN at ${entry}: ${b.reason} (${b.message})`;
}

async function verify(args: string[]): Promise<number> {
  const p = parse('audit verify', args, { org: { type: 'string' }, json: { type: 'boolean' } });
  if (!p) return help();
  const orgId = typeof p.values.org === 'string' ? orgIdArg(p.values.org) : undefined;
  const config = loadConfig(process.env);
  const { results } = await viaServerOrDirect(
    config,
    (client) => client.call<{ results: VerifyResult[] }>('GET', `/internal/admin/audit/verify${orgId ? `?orgId=${orgId}` : ''}`),
    async (engine) => ({ results: await verifyOrgs(engine.db, orgId) }),
  );
  const ok = results.every((r) => r.ok);
  output(!!p.values.json, { ok, results }, results.length ? results.map(describe).join('\n') : 'No orgs.');
  if (!ok) process.stderr.write(`switchboard audit verify: ${results.filter((r) => !r.ok).length} broken chain(s).\n`);
  return ok ? 0 : 1;
}

function help(): number {
  process.stdout.write(HELP);
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'verify') return verify(rest);
  if (sub === undefined || sub === '--help' || sub === '-h') return help();
  throw new UsageError(`Unknown subcommand "${sub}" (verify).`, 'audit');
}
