import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

  it('writes buffered lines out on its timer without piling listeners on the destination', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readpulse-log-'));
    dirs.push(dir);
    const file = join(dir, 'log');
    const destination = pino.destination({ dest: file, sync: false, minLength: 4096 });
    await new Promise((resolve) => destination.once('ready', resolve));
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const logger = createServerLogger({ logLevel: 'info' }, destination);
      logger.log.info('one line, far below the buffer size');
      // Twenty timer turns with no chance for the file write to finish in between.
      vi.advanceTimersByTime(20 * 250);
      expect(destination.listenerCount('drain')).toBe(0);
      expect(destination.listenerCount('error')).toBeLessThanOrEqual(1);
      await vi.waitFor(() => expect(lines(readFileSync(file, 'utf8')).map((line) => line.msg)).toEqual(['one line, far below the buffer size']));
      logger.stop();
    } finally {
      vi.useRealTimers();
      destination.end();
    }
  });

  it('censors credentials in headers and a password or token one level down, in lines and bindings, without touching the logged objects', () => {
    const written: string[] = [];
    const logger = createServerLogger({ logLevel: 'info' }, { write: (line: string) => void written.push(line) });
    const body = { email: 'a@example.com', password: 'hunter22' };
    const error = Object.assign(new Error('bad sign-in'), { token: 'abc' });
    logger.log.info({ body, err: error, req: { headers: { authorization: 'Bearer xyz', cookie: 'readpulse_session=abc' } } }, 'signing in');
    logger.log.child({ session: { token: 'tok', id: 7 } }).info({ status: 201, url: '/api/me/activity' }, 'request');
    logger.log.info({ res: { headers: { 'set-cookie': 'readpulse_session=abc' } }, note: 'password' }, 'signed in');
    logger.stop();
    const [first, second, third] = written.map((line) => JSON.parse(line) as Record<string, any>);
    expect(first!.body).toEqual({ email: 'a@example.com', password: '[redacted]' });
    expect(first!.err.token).toBe('[redacted]');
    expect(first!.err.message).toBe('bad sign-in');
    expect(first!.err.stack).toContain('bad sign-in');
    expect(first!.req.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]' });
    expect(second).toMatchObject({ session: { token: '[redacted]', id: 7 }, status: 201, url: '/api/me/activity', msg: 'request' });
    expect(third!.res.headers['set-cookie']).toBe('[redacted]');
    expect(third!.note).toBe('password');
    expect(body.password).toBe('hunter22');
    expect(error.token).toBe('abc');
    expect(written.join('')).not.toMatch(/hunter22|Bearer xyz|tok"|readpulse_session=abc/);
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
