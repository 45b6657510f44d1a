import { write as writeAsync, writeSync } from 'node:fs';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';

/** Never logged: credentials in headers (by pino's redaction, which costs only when a line has `req` or `res`). */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];
/**
 * Never logged either: a `password` or `token` one level down in any field of a line or a child
 * logger's bindings (what pino's `*.password` and `*.token` paths did). Done here rather than by a
 * wildcard redaction path, which made pino run its redactor on every field of every line (the
 * request line's method, url, status...): about a tenth of an activity POST's CPU time.
 */
const SECRET_KEYS = ['password', 'token'] as const;
const CENSOR = '[redacted]';

function withoutSecrets(fields: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    const value = fields[key];
    if (value === null || typeof value !== 'object' || !SECRET_KEYS.some((secret) => Object.hasOwn(value, secret))) continue;
    // A copy with the same prototype and every own property (an Error's message and stack too),
    // so that serializers see what they would have seen; the caller's object is left alone.
    const censored = Object.create(Object.getPrototypeOf(value), Object.getOwnPropertyDescriptors(value)) as Record<string, unknown>;
    // Newer V8 (Node 24) keeps an Error's stack behind an accessor bound to the original object,
    // which reads as empty on a copy: carry the text itself.
    if (value instanceof Error) {
      Object.defineProperty(censored, 'stack', { value: value.stack, writable: true, configurable: true, enumerable: false });
    }
    for (const secret of SECRET_KEYS) {
      if (Object.hasOwn(censored, secret)) censored[secret] = CENSOR;
    }
    copy ??= { ...fields };
    copy[key] = censored;
  }
  return copy ?? fields;
}

/** Lines are buffered up to this many bytes and written together, off the request's path. */
const BUFFER_BYTES = 4096;
/** A quiet server's buffered lines still go out within this long. */
const FLUSH_INTERVAL_MS = 250;

/** Past this many bytes waiting (a log reader that stopped reading), new lines are dropped and counted. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** How long flushSync waits in all for a full pipe (EAGAIN) before it gives up on the lines. */
const MAX_SYNC_WAIT_MS = 200;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Where the server's log lines go: a file descriptor (stdout), written asynchronously in batches.
 * Logging never stops the server: once a write fails for good (EPIPE when the log collector went
 * away, EBADF...) the destination is broken and drops every later line, and flushSync gives up on
 * a full pipe after MAX_SYNC_WAIT_MS, so shutdown is never held by its own logging. (sonic-boom's
 * flushSync, which pino.destination uses, retries a failed write forever: a server whose stdout
 * had closed could not be stopped.)
 */
export class LogDestination {
  private chunks: string[] = [];
  private bufferedBytes = 0;
  private writing = false;
  private brokenBy: string | undefined;
  /** Lines dropped because too much was waiting, or the destination is broken. */
  dropped = 0;

  constructor(
    private readonly fd: number,
    private readonly minLength: number,
  ) {}

  /** The error code that broke the destination, if one did. */
  get broken(): string | undefined {
    return this.brokenBy;
  }

  write(line: string): boolean {
    if (this.brokenBy !== undefined || this.bufferedBytes + line.length > MAX_BUFFERED_BYTES) {
      this.dropped += 1;
      return true;
    }
    this.chunks.push(line);
    this.bufferedBytes += line.length;
    if (this.bufferedBytes >= this.minLength) this.flush();
    return true;
  }

  /** Starts writing what is buffered (unless a write is in flight); `done` is called at once. */
  flush(done?: (error?: Error) => void): void {
    if (!this.writing && this.brokenBy === undefined && this.bufferedBytes > 0) {
      this.writing = true;
      this.writeOut(this.take(), 0);
    }
    done?.();
  }

  /** Writes everything buffered now, synchronously; gives up (dropping it) rather than block. */
  flushSync(): void {
    if (this.brokenBy !== undefined || this.bufferedBytes === 0) return;
    const data = this.take();
    let waitedMs = 0;
    for (let offset = 0; offset < data.length; ) {
      try {
        offset += writeSync(this.fd, data, offset);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
        if (code !== 'EAGAIN' || waitedMs >= MAX_SYNC_WAIT_MS) {
          if (code !== 'EAGAIN') this.brokenBy = code;
          return;
        }
        Atomics.wait(sleeper, 0, 0, 10);
        waitedMs += 10;
      }
    }
  }

  private take(): Buffer {
    const data = Buffer.from(this.chunks.join(''));
    this.chunks = [];
    this.bufferedBytes = 0;
    return data;
  }

  private writeOut(data: Buffer, offset: number): void {
    writeAsync(this.fd, data, offset, data.length - offset, null, (error, written) => {
      if (error) {
        if (error.code === 'EAGAIN') {
          setTimeout(() => this.writeOut(data, offset), 10).unref();
          return;
        }
        this.brokenBy = error.code ?? 'EIO';
        this.chunks = [];
        this.bufferedBytes = 0;
        this.writing = false;
        return;
      }
      if (offset + written < data.length) return this.writeOut(data, offset + written);
      this.writing = false;
      if (this.bufferedBytes >= this.minLength) this.flush();
    });
  }
}

export interface ServerLogger {
  readonly log: Logger;
  /** Writes out every buffered line now, synchronously: before exiting, and on a fatal error. */
  flushSync(): void;
  /** Stops the periodic flush (the last lines still need flushSync). */
  stop(): void;
}

/**
 * The server's logger: pino writing JSON lines to stdout through an asynchronous destination
 * (LogDestination), so a request never waits on a write(2) for its log line. Buffered lines go
 * out when 4 KiB have gathered, at least every 250 ms, and synchronously on shutdown and on a
 * fatal error. A closed stdout (the log collector died) costs the lines, never the server.
 */
export function createServerLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): ServerLogger {
  const stream = destination ?? new LogDestination(1, BUFFER_BYTES);
  const log = pino(
    {
      level: config.logLevel,
      redact: { paths: REDACT, censor: CENSOR },
      formatters: { log: withoutSecrets, bindings: withoutSecrets },
    },
    stream,
  );
  // A child's bindings skip the bindings formatter (pino resets it for children), so every child,
  // and every child of a child (they inherit this method), gets its bindings censored here.
  const child = log.child;
  log.child = function (this: Logger, bindings, options) {
    return child.call(this, withoutSecrets(bindings), options);
  } as Logger['child'];
  const sonic = stream as DestinationStream & { flush?: () => void; flushSync?: () => void };
  // The destination's own flush, without a callback: pino's `log.flush()` always passes one, and
  // each callback leaves a 'drain' and an 'error' listener on the destination until it next
  // drains, which under steady load it may not do for seconds (a listener pair every interval).
  const flusher = setInterval(() => {
    try {
      sonic.flush?.();
    } catch {
      // Destroyed at shutdown: nothing left to write.
    }
  }, FLUSH_INTERVAL_MS).unref();
  return {
    log,
    flushSync() {
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
