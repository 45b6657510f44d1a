import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../domain/index.js';

/**
 * Writes a consistent copy of the database at `url` to `path` with pg_dump's custom format
 * (restore with pg_restore). pg_dump reads one snapshot, beside running writers. Throws
 * `conflict` if `path` exists and `unavailable` if pg_dump is not on the PATH or fails.
 */
export async function dumpDatabase(url: string, path: string): Promise<void> {
  if (existsSync(path)) throw new AppError('conflict', `${path} exists already.`);
  mkdirSync(dirname(path), { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const child = spawn('pg_dump', ['--format=custom', '--no-owner', `--file=${path}`, `--dbname=${url}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new AppError(
              'unavailable',
              'pg_dump is not on the PATH. Install the PostgreSQL client tools, or run: pg_dump --format=custom --file=BACKUP "$READPULSE_DATABASE_URL"',
            )
          : error,
      );
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new AppError('unavailable', `pg_dump failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}
