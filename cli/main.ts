import { loadConfig } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { UsageError } from './args.ts';

/**
 * `switchboard <command>`: dispatch only. Command modules are imported after the log destination
 * is chosen (one-shot commands log to stderr, so their stdout is just the result).
 */
interface CommandEntry {
  file: string;
  summary: string;
  /** Runs until a signal; logs go to stdout like any server. */
  service?: boolean;
}

const COMMANDS: Record<string, CommandEntry> = {
  start: { file: './start.ts', summary: 'Run the platform (API; in embedded mode also the relay and workers)', service: true },
  worker: { file: './worker.ts', summary: 'Run the background work (event relay to queues and realtime) without HTTP (production)', service: true },
  migrate: { file: './migrate.ts', summary: 'Apply database migrations' },
  org: { file: './org.ts', summary: 'Create, list or delete orgs (org create --name N [--json])' },
  platform: { file: './platform.ts', summary: 'Create a platform that runs its orgs by API (platform create --name N [--json])' },
  user: { file: './user.ts', summary: 'Add a dashboard user (user create --org ID --email E --role R)' },
  keys: { file: './keys.ts', summary: 'A new API key for an org (keys create --org ID); rotate data keys or the master key (keys rotate)' },
  audit: { file: './audit.ts', summary: "Verify orgs' hash-chained audit trails (audit verify [--org ID])" },
  channel: { file: './channel.ts', summary: "Provision a connection's channel by API: channel search|buy|numbers|release|health|fix|registrations|templates CONNECTION_ID" },
  connector: { file: './connector.ts', summary: 'Scaffold (connector new NAME) or check (connector validate PATH) a connector package' },
};

const NAME_WIDTH = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
const USAGE = `Usage: switchboard <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(NAME_WIDTH)}${c.summary}`)
  .join('\n')}

Run "switchboard <command> --help" (or "switchboard help <command>") for its options.
Configuration comes from the environment (see README.md, "Configuration").
`;

export interface CommandModule {
  run(args: string[]): Promise<number>;
}

async function main(argv: string[]): Promise<number> {
  // `help org` = `org --help` (handy through npx, which keeps --help for itself).
  const [name, ...rest] = argv[0] === 'help' && argv[1] ? [argv[1], '--help'] : argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? process.stderr : process.stdout).write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    process.stderr.write(`switchboard: unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  // Settings are checked before any module that reads them loads (the logger reads LOG_LEVEL at
  // import): a bad setting is reported with all the others, not as a crash.
  if (!rest.includes('--help') && !rest.includes('-h')) loadConfig(process.env);
  if (!entry.service) {
    process.env.SWITCHBOARD_LOG_STDERR = '1';
    process.env.LOG_LEVEL ??= 'warn';
  }
  // Every command sees the whole org settings document (features register their sections).
  await import('../app/settings-sections.ts');
  const mod = (await import(entry.file)) as CommandModule;
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`switchboard ${err.command}: ${err.message}\nRun "switchboard ${err.command} --help" for usage.\n`);
      process.exit(2);
    }
    if (err instanceof AppError) {
      process.stderr.write(`switchboard: ${err.message}\n`);
    } else {
      process.stderr.write(`switchboard: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    process.exit(1);
  },
);
