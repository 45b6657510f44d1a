import type { FastifyInstance } from 'fastify';

export interface LifecycleLog {
  info(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  flush(): void;
}

/** Something that runs in the background while the server serves: started after listening starts, stopped on shutdown. */
export interface BackgroundWork {
  start(): void;
  stop(): Promise<void>;
}

export interface ServerLifecycle {
  readonly app: FastifyInstance;
  /** Started in order, stopped in order once the app has closed. */
  readonly background: readonly BackgroundWork[];
  /** Closes the database last, after every background job has stopped. */
  readonly closeStore: () => Promise<void>;
  readonly port: number;
  readonly host: string;
  readonly shutdownTimeoutMs: number;
  readonly log: LifecycleLog;
  /** Ends the process (after flushing logs). */
  readonly exit: (code: number) => never;
  /** What the "listening" log line says besides the address. */
  readonly describe: Record<string, unknown>;
}

/**
 * Starts the background work, listens, and stops gracefully on SIGTERM/SIGINT: no new
 * connections, in-flight requests finish, background work stops (heartbeats and the access log
 * are flushed), the database is closed. Past the deadline the process exits with 1.
 */
export async function listenUntilStopped(server: ServerLifecycle): Promise<void> {
  const { app, log, exit } = server;
  for (const work of server.background) work.start();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error('shutdown deadline passed; exiting');
      exit(1);
    }, server.shutdownTimeoutMs).unref();
    // app.close() closes the connections idle at that moment; ones that finish their request
    // afterwards would sit in keep-alive until it times out, holding shutdown past its deadline.
    const closeIdle = setInterval(() => app.server.closeIdleConnections(), 100);
    try {
      await app.close();
      clearInterval(closeIdle);
      for (const work of server.background) await work.stop();
      await server.closeStore();
      clearTimeout(deadline);
      log.info('stopped');
      exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  const address = await app.listen({ port: server.port, host: server.host });
  log.info({ address, ...server.describe }, 'ReadPulse is listening');
  log.flush();
}
