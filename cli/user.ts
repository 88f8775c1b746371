import { loadConfig } from '../core/config.ts';
import { createdView, createUser, generatePassword, type Created } from '../core/users/create.ts';
import { ROLES, type Role } from '../core/users/sessions.ts';
import { orgIdArg, output, parse, requireString, UsageError } from './args.ts';
import { viaServerOrDirect } from './target.ts';

const HELP = `Usage:
  switchboard user create --org ID --email EMAIL --role ROLE [--name NAME] [--password PW] [--json]
      Adds a dashboard user to an org. ROLE: owner, admin, agent or viewer. Without --password a
      password is generated and printed once. Works while the embedded server runs and without it.
`;

async function create(args: string[]): Promise<number> {
  const p = parse('user create', args, {
    org: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string' },
    name: { type: 'string' },
    password: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!p) return help();
  const orgId = orgIdArg(requireString(p, 'org', 'user create'));
  const email = requireString(p, 'email', 'user create');
  if (!/^[^@\s]+@[^@\s]+$/.test(email) || email.length > 254) throw new UsageError('--email must be an email address.', 'user create');
  const role = requireString(p, 'role', 'user create') as Role;
  if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}.`, 'user create');
  const given = typeof p.values.password === 'string' ? p.values.password : undefined;
  if (given !== undefined && (given.length < 12 || given.length > 256)) throw new UsageError('--password must be 12 to 256 characters.', 'user create');
  const input = { email, role, name: typeof p.values.name === 'string' ? p.values.name : null, password: given ?? generatePassword() };
  const config = loadConfig(process.env);
  const result = await viaServerOrDirect<Created>(
    config,
    (client) => client.call<Created>('POST', '/internal/admin/users', { orgId, ...input }),
    async (engine) => createdView(await createUser(engine, orgId, input), input.password),
  );
  const human =
    `Added ${result.user.role} ${result.user.email} to org ${orgId} (user ${result.user.id}).` +
    (given ? '' : `\nPassword (shown only this once): ${result.password}`);
  output(!!p.values.json, given ? { user: result.user } : result, human);
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
  throw new UsageError(`Unknown subcommand "${sub}" (create).`, 'user');
}
