import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createServerLogger } from '../src/logger.js';
import { REPO_ROOT } from './support/build-server.js';

const lines = (text: string) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; level: number });

describe('the server logger', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('buffers lines off the caller\'s path and writes them all out on flushSync', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readpulse-log-'));
    dirs.push(dir);
    const file = join(dir, 'log');
    const destination = pino.destination({ dest: file, sync: false, minLength: 4096 });
    await new Promise((resolve) => destination.once('ready', resolve));
    const logger = createServerLogger({ logLevel: 'info' }, destination);
    for (let i = 0; i < 5; i += 1) logger.log.info({ i }, 'request completed');
    logger.log.debug('below the level');
    expect(readFileSync(file, 'utf8')).toBe(''); // still buffered: the calls did not write
    logger.flushSync();
    expect(lines(readFileSync(file, 'utf8')).map((line) => line.msg)).toEqual(Array(5).fill('request completed'));
    logger.stop();
    destination.end();
  });

  it('on an uncaught exception logs it at fatal, writes out what was buffered and exits 1', () => {
    const script = [
      "import { createServerLogger, exitOnFatalErrors } from './src/logger.ts';",
      "const logger = createServerLogger({ logLevel: 'info' });",
      'exitOnFatalErrors(logger, (code) => process.exit(code));',
      "logger.log.info('before the crash');",
      "setTimeout(() => { throw new Error('boom'); }, 10);",
    ].join('\n');
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    const logged = lines(result.stdout);
    expect(logged.map((line) => line.msg)).toEqual(['before the crash', 'uncaught exception; exiting']);
    expect(logged[1]!.level).toBe(60);
    expect(JSON.stringify(logged[1])).toContain('boom');
  });
});
