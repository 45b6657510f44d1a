import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/build-server.js';
import { READPULSE_BIN, readpulseEnv, runReadpulse } from '../../support/run-readpulse.js';

export interface Account {
  readonly email: string;
  readonly password: string;
  readonly name: string;
}

export interface ApiAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

/** One real `readpulse serve` process on a temporary database, for one test file. */
export interface RunningServer {
  /** `http://127.0.0.1:<port>`, as the server's own log line reports it. */
  readonly baseUrl: string;
  /** The server's stdout and stderr so far (for failure messages). */
  output(): string;
  /** `readpulse user create` against the same database. */
  createUser(account: Account, role: 'reader' | 'consultant'): Promise<void>;
  /** POST /api/auth/login; the Bearer token. */
  login(account: Pick<Account, 'email' | 'password'>): Promise<string>;
  /** A JSON call to the API with a Bearer token (or none). */
  api<T = Record<string, unknown>>(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<ApiAnswer<T>>;
  stop(): Promise<void>;
}

const LISTENING = 'ReadPulse is listening';

/**
 * Starts `node bin/readpulse.js serve` with PORT=0 on 127.0.0.1 and a fresh database, and waits
 * for the "ReadPulse is listening" log line to learn the real address.
 */
export async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'readpulse-e2e-'));
  const env = { PORT: '0', HOST: '127.0.0.1', READPULSE_DB: join(dir, 'readpulse.db'), READPULSE_LOG_LEVEL: 'info', ...extraEnv };
  const child = spawn(process.execPath, [READPULSE_BIN, 'serve'], { cwd: REPO_ROOT, env: readpulseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const remember = (chunk: string) => {
    output += chunk;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stderr!.setEncoding('utf8').on('data', remember);

  const baseUrl = await new Promise<string>((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => fail(new Error(`readpulse serve did not report "${LISTENING}" within 20 s.\n${output}`)), 20_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`readpulse serve exited early (code ${code}, signal ${signal}).\n${output}`)));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      remember(chunk);
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        let entry: { msg?: unknown; address?: unknown };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          continue;
        }
        if (entry.msg === LISTENING && typeof entry.address === 'string') {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.removeListener('error', fail);
          resolve(entry.address.replace('://localhost:', '://127.0.0.1:'));
        }
      }
    });
  });

  const api: RunningServer['api'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as never };
  };

  return {
    baseUrl,
    output: () => output,
    api,
    async createUser(account, role) {
      const result = await runReadpulse(['user', 'create', '--email', account.email, '--role', role, '--name', account.name], {
        READPULSE_DB: env.READPULSE_DB,
        READPULSE_PASSWORD: account.password,
      });
      if (result.code !== 0) {
        throw new Error(`readpulse user create exited with ${result.code}:\n${result.stdout}${result.stderr}`);
      }
    },
    async login(account) {
      const answer = await api<{ token?: string }>('POST', '/api/auth/login', { body: { email: account.email, password: account.password } });
      if (answer.status !== 200 || typeof answer.body.token !== 'string') {
        throw new Error(`Login of ${account.email} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      }
      return answer.body.token;
    },
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
