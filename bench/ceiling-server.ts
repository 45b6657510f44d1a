/**
 * The throughput ceiling for `POST /api/me/activity`: a bare node:http server that does the least
 * any Node server must do for that request (read and parse the JSON body, answer 201 with a small
 * JSON body) and nothing else: no routing framework, auth, validation or database.
 * bench/run.ts starts it pinned to the server's core and drives it with the same wrk script.
 *
 *   node --import tsx bench/ceiling-server.ts PORT [HOST]
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? '8081');
const host = process.argv[3] ?? '127.0.0.1';
let nextId = 1;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let status = 201;
    let body: string;
    try {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        actionType?: unknown;
        metadata?: unknown;
      };
      body = JSON.stringify({
        event: {
          id: nextId++,
          actionType: input.actionType,
          metadata: input.metadata ?? null,
          createdAt: new Date().toISOString(),
        },
      });
    } catch {
      status = 400;
      body = '{"code":"invalid_request"}';
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(body);
  });
});

server.keepAliveTimeout = 65_000;
server.listen(port, host, () => {
  process.stdout.write(`ceiling server listening on http://${host}:${port}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
