import { lrsCredentialCommand } from './lrs-credential-command.js';
import { parseArgs } from 'node:util';
import { describeDatabase, type Config } from '../config.js';
import { AppError, type Clock, type CopyProgress, type CopyReport, type Store } from '../domain/index.js';
import { backupCommand } from './backup-command.js';
import { copyCommand } from './copy-command.js';
import { demoCommand } from './demo-command.js';
import { userCommand } from './user-command.js';

/** The store as the CLI needs it: the Store plus what opening it migrated. */
export type CliStore = Store & { readonly appliedMigrations: readonly string[] };

export interface CliDeps {
  readonly config: Config;
  readonly clock: Clock;
  /** Opens (and migrates) the configured database; `clock` overrides the store's clock. */
  readonly openStore: (clock?: Clock) => Promise<CliStore>;
  readonly serve: () => Promise<void>;
  /** Copies the SQLite database at `file` into the configured PostgreSQL database (readpulse copy). */
  readonly copyFromSqlite: (file: string, progress: CopyProgress) => Promise<CopyReport>;
  readonly passwordFromEnv: string | undefined;
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export class UsageError extends Error {}

export const USAGE = `Usage: readpulse <command> [options]

Commands:
  serve                               Run the server (config from the environment; see README)
  migrate                             Apply pending database migrations and exit
  user create --email E --role reader|consultant [--name N]
                                      Create a user; the password comes from READPULSE_PASSWORD
                                      or is asked for on the terminal
  user set-password --email E         Set a new password (as above); ends the user's sessions
  user delete --email E               Remove a user with their sessions, milestones and activity
  backup FILE                         Write a consistent copy of the live database to FILE
                                      (on PostgreSQL: a pg_dump archive, for pg_restore)
  copy --from FILE.db                 Copy a SQLite database into the empty PostgreSQL database
                                      of READPULSE_DATABASE_URL, ids kept, counts verified
  lrs-credential create --name N      Create a key and secret for the LRS at /xapi (HTTP Basic);
                                      the secret is printed once and stored only as a hash
  demo [--readers N] [--consultants N] [--live]
                                      Fill the database with a demo program and print the logins;
                                      --live keeps simulated readers active until Ctrl-C

Options:
  -h, --help                          Show this help
`;

/** Runs one `readpulse` command. Returns the process exit code: 0 ok, 1 failed, 2 usage. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      deps.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (rest.includes('-h') || rest.includes('--help')) {
      deps.stdout.write(USAGE);
      return 0;
    }
    switch (command) {
      case 'serve':
        expectNoArgs(rest);
        await deps.serve();
        return 0;
      case 'migrate':
        return await migrateCommand(rest, deps);
      case 'user':
        return await userCommand(rest, deps);
      case 'backup':
        return await backupCommand(rest, deps);
      case 'copy':
        return await copyCommand(rest, deps);
      case 'demo':
        return await demoCommand(rest, deps);
      case 'lrs-credential':
        return await lrsCredentialCommand(rest, deps);
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      deps.stderr.write(`readpulse: ${error.message}\nRun "readpulse --help" for usage.\n`);
      return 2;
    }
    if (error instanceof AppError) {
      deps.stderr.write(`readpulse: ${error.message}\n`);
      return 1;
    }
    deps.stderr.write(`readpulse: ${(error as Error).message ?? String(error)}\n`);
    return 1;
  }
}

async function migrateCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  expectNoArgs(args);
  const store = await deps.openStore();
  try {
    const applied = store.appliedMigrations;
    deps.stdout.write(
      applied.length === 0
        ? `Database ${describeDatabase(deps.config)} is up to date.\n`
        : `Applied ${applied.length} migration(s) to ${describeDatabase(deps.config)}: ${applied.join(', ')}\n`,
    );
    return 0;
  } finally {
    await store.operations.close();
  }
}

function expectNoArgs(args: readonly string[]): void {
  if (args.length > 0) throw new UsageError(`Unexpected argument "${args[0]}".`);
}

/** Parses a command's options strictly: unknown options and missing values are usage errors. */
export function parseOptions<T extends Record<string, { type: 'string' | 'boolean' }>>(args: readonly string[], options: T) {
  return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
}
