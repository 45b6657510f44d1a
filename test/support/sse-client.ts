/** One Server-Sent Events frame: an event (id, event, data) or a comment line. */
export interface SseFrame {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly comment?: string;
}

/**
 * A minimal SSE client over fetch, for tests against a listening app (inject does not stream):
 * frames are read one at a time in the order the server wrote them.
 */
export class SseClient {
  private buffer = '';
  private readonly decoder = new TextDecoder();

  private constructor(
    readonly response: Response,
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly abort: AbortController,
  ) {}

  static async open(url: string, headers: Record<string, string>): Promise<SseClient> {
    const abort = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    if (!response.body) throw new Error(`no body: ${response.status}`);
    return new SseClient(response, response.body.getReader(), abort);
  }

  /** The next frame, comments included; null when the server ended the stream. */
  async nextFrame(): Promise<SseFrame | null> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return parseFrame(block);
      }
      const { done, value } = await this.reader.read();
      if (done) return null;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** The next event, skipping comments; null when the stream ended. */
  async nextEvent(): Promise<(SseFrame & { json: any }) | null> {
    for (;;) {
      const frame = await this.nextFrame();
      if (frame === null) return null;
      if (frame.comment === undefined) return { ...frame, json: frame.data === undefined ? undefined : JSON.parse(frame.data) };
    }
  }

  close(): void {
    this.abort.abort();
  }
}

function parseFrame(block: string): SseFrame {
  const fields: Record<string, string> = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) return { comment: line.slice(1).trim() };
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    fields[name] = name === 'data' && fields.data !== undefined ? `${fields.data}\n${value}` : value;
  }
  return fields;
}
