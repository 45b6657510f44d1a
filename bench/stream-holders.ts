import { request, type ClientRequest } from 'node:http';

/** Consultants' streams held open for a run, read as fast as they come, as dashboards would. */
export class StreamHolders {
  private readonly requests: ClientRequest[] = [];
  private closing = false;
  /** Streams the server ended or broke while they were held. */
  dropped = 0;
  /** Bytes read over all streams since the last reset. */
  bytes = 0;

  private constructor() {}

  /** Opens one stream per token with the given query (e.g. `?activity=none`); resolves once all answered 200. */
  static async open(url: string, streams: readonly { token: string; query: string }[]): Promise<StreamHolders> {
    const holders = new StreamHolders();
    const base = new URL(url);
    await Promise.all(
      streams.map(
        ({ token, query }) =>
          new Promise<void>((resolve, reject) => {
            const req = request({
              host: base.hostname,
              port: base.port,
              path: `/api/consultant/dashboard/stream${query}`,
              headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
              agent: false,
            });
            holders.requests.push(req);
            req.on('response', (response) => {
              if (response.statusCode !== 200) {
                reject(new Error(`stream${query} answered ${response.statusCode}`));
                return;
              }
              resolve();
              response.on('data', (chunk: Buffer) => (holders.bytes += chunk.length));
              response.on('close', () => {
                if (!holders.closing) holders.dropped += 1;
              });
            });
            req.on('error', (error) => (holders.closing ? undefined : reject(error)));
            req.end();
          }),
      ),
    );
    return holders;
  }

  resetCounters(): void {
    this.dropped = 0;
    this.bytes = 0;
  }

  close(): void {
    this.closing = true;
    for (const req of this.requests) req.destroy();
  }
}
