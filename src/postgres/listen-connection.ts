import pg from 'pg';

export interface ListenLog {
  warn(obj: object, msg: string): void;
}

export interface ListenConnectionOptions {
  readonly url: string;
  readonly channels: readonly string[];
  /** Called with each notification's channel and payload ('' when it has none). */
  readonly onNotification: (channel: string, payload: string) => void;
  /**
   * Called once listening, at first and after every reconnect: whatever was sent while the
   * connection was down is lost, so the caller catches up (reads by id, flushes caches).
   */
  readonly onListening: () => void;
  readonly log: ListenLog;
  /** First wait before reconnecting; doubled per failure up to maxReconnectMs. */
  readonly reconnectMs?: number;
  readonly maxReconnectMs?: number;
}

/**
 * One dedicated connection (not a pooled one: LISTEN belongs to a session) that listens on the
 * given channels and reconnects by itself, with backoff, whenever it is lost.
 */
export class ListenConnection {
  private client: pg.Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;

  constructor(private readonly options: ListenConnectionOptions) {}

  /** Whether the connection is listening now. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Connects and listens; rejects if the first attempt fails (later losses reconnect). */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url, connectionTimeoutMillis: 3_000, application_name: 'readpulse-listen' });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.options.log.warn({ err: error }, 'the LISTEN connection to PostgreSQL was lost; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => this.options.onNotification(message.channel, message.payload ?? ''));
    await client.connect();
    for (const channel of this.options.channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
    this.failures = 0;
    this.options.onListening();
  }

  private scheduleReconnect(): void {
    const base = this.options.reconnectMs ?? 100;
    const delay = Math.min(this.options.maxReconnectMs ?? 5_000, base * 2 ** this.failures);
    this.failures += 1;
    this.retryTimer = setTimeout(() => {
      this.connect().catch((error: unknown) => {
        this.options.log.warn({ err: error }, 'could not reconnect the LISTEN connection; retrying');
        this.scheduleReconnect();
      });
    }, delay);
    this.retryTimer.unref();
  }
}
