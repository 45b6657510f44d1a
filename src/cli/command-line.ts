import { ConfigError, loadConfig, type Config } from '../config.js';
import type { Clock, CopyProgress, CopyReport } from '../domain/index.js';
import { runCli, type CliStore } from './run-cli.js';

/** What the composition root gives the command line: how to open the configured engine, serve, and copy. */
export interface CommandLineEngine {
  readonly clock: Clock;
  /** Opens (and migrates) the configured database; `clock` overrides the store's clock. */
  openStore(config: Config, clock?: Clock): Promise<CliStore>;
  serve(config: Config): Promise<void>;
  /** Copies the SQLite database at `file` into the configured PostgreSQL database. */
  copyFromSqlite(config: Config, file: string, progress: CopyProgress): Promise<CopyReport>;
}

/**
 * Entry point of the `readpulse` command: reads the configuration from `env` (exit code 2 with
 * its message when it is invalid) and runs the command. Returns the exit code.
 */
export async function runCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv, engine: CommandLineEngine): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  return runCli(argv, {
    config,
    clock: engine.clock,
    openStore: (clock) => engine.openStore(config, clock),
    serve: () => engine.serve(config),
    copyFromSqlite: (file, progress) => engine.copyFromSqlite(config, file, progress),
    passwordFromEnv: env.READPULSE_PASSWORD,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  });
}
