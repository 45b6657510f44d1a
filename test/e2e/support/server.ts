import { runReadpulse } from '../../support/run-readpulse.js';
import { cleanUp, startServer as startServerProcess } from '../../support/server-process.js';

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
  /** SIGTERM, SIGKILL if it still runs 15 s later; removes its database. */
  stop(): Promise<void>;
}

/**
 * Starts `node bin/readpulse.js serve` with PORT=0 on 127.0.0.1 and a fresh database, and waits
 * for the "ReadPulse is listening" log line to learn the real address.
 */
export async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  const server = await startServerProcess({ env: extraEnv, listenTimeoutMs: 20_000 });
  const { baseUrl } = server;

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
    output: () => server.stdout() + server.stderr(),
    api,
    async createUser(account, role) {
      const result = await runReadpulse(['user', 'create', '--email', account.email, '--role', role, '--name', account.name], {
        READPULSE_DB: server.dbFile,
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
      // Past the deadline, cleanUp() kills it (SIGKILL).
      await server.stop('SIGTERM', 15_000).catch(() => undefined);
      await cleanUp();
    },
  };
}
