import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';

/** Never logged: credentials in headers and bodies. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.token'];

/** Lines are buffered up to this many bytes and written together, off the request's path. */
const BUFFER_BYTES = 4096;
/** A quiet server's buffered lines still go out within this long. */
const FLUSH_INTERVAL_MS = 250;

export interface ServerLogger {
  readonly log: Logger;
  /** Writes out every buffered line now, synchronously: before exiting, and on a fatal error. */
  flushSync(): void;
  /** Stops the periodic flush (the last lines still need flushSync). */
  stop(): void;
}

/**
 * The server's logger: pino writing JSON lines to stdout through an asynchronous destination,
 * so a request never waits on a write(2) for its log line. Buffered lines go out when 4 KiB
 * have gathered, at least every 250 ms, and synchronously on shutdown and on a fatal error.
 */
export function createServerLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): ServerLogger {
  const stream = destination ?? pino.destination({ dest: 1, sync: false, minLength: BUFFER_BYTES });
  const log = pino({ level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' } }, stream);
  const flusher = setInterval(() => log.flush(), FLUSH_INTERVAL_MS).unref();
  return {
    log,
    flushSync() {
      const sonic = stream as DestinationStream & { flushSync?: () => void };
      try {
        sonic.flushSync?.();
      } catch {
        // A write still in flight (EAGAIN on a full pipe): the exit handler pino installs retries it.
      }
    },
    stop() {
      clearInterval(flusher);
    },
  };
}

/**
 * Logs an uncaught exception or unhandled rejection at `fatal`, writes out the buffered lines
 * and exits 1: the process is in an unknown state, and its last lines matter most.
 */
export function exitOnFatalErrors(logger: ServerLogger, exit: (code: number) => never): void {
  const fatal = (kind: string) => (error: unknown) => {
    logger.log.fatal({ err: error }, `${kind}; exiting`);
    logger.flushSync();
    exit(1);
  };
  process.once('uncaughtException', fatal('uncaught exception'));
  process.once('unhandledRejection', fatal('unhandled rejection'));
}
