/**
 * `npx tsx bench/fanout-micro.ts`: what the per-batch fan-out saves, measured in one process and
 * one run. 50 live-stream subscribers write to real loopback sockets (read and discarded by
 * clients in the same process) while 5,000 activity events a second are published, up to five
 * per event-loop turn, each from its own callback; once with the hub waking subscribers once per turn (as the server does), once
 * waking them at every event (one socket write per event per stream, as before). Prints CPU time
 * and socket writes of each.
 */
import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { liveEventBody } from '../src/http/live-frames.js';
import { pumpStream } from '../src/http/live-stream-writer.js';
import { systemClock } from '../src/domain/index.js';
import { EventHub } from '../src/live/event-hub.js';

const STREAMS = 50;
const EVENTS_PER_SECOND = 5000;
const PER_TURN = 5;
const SECONDS = Number(process.argv[2] ?? 4);

interface Run {
  cpuMs: number;
  writes: number;
  bytes: number;
  published: number;
}

async function run(perEvent: boolean): Promise<Run> {
  let published = 0;
  const hub = new EventHub({ clock: systemClock, encode: liveEventBody, ...(perEvent ? { schedule: (flush: () => void) => flush() } : {}) });
  const sockets: Socket[] = [];
  let writes = 0;
  let bytes = 0;
  const server = createServer((socket) => {
    socket.on('error', () => {});
    sockets.push(socket);
    const sink = {
      write: (chunk: string) => {
        writes += 1;
        return socket.write(chunk);
      },
      once: (event: 'drain' | 'close', listener: () => void) => socket.once(event, listener),
      off: (event: 'drain' | 'close', listener: () => void) => socket.off(event, listener),
      get destroyed() {
        return socket.destroyed;
      },
    };
    void pumpStream(hub.subscribe(), sink, () => socket.destroyed);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const clients = await Promise.all(
    Array.from({ length: STREAMS }, async () => {
      const client = createConnection({ port, host: '127.0.0.1' });
      client.on('error', () => {});
      client.on('data', (chunk: Buffer) => (bytes += chunk.length));
      await once(client, 'connect');
      return client;
    }),
  );
  while (sockets.length < STREAMS) await new Promise((resolve) => setImmediate(resolve));
  const started = process.cpuUsage();
  const startedAt = performance.now();
  let n = 0;
  while (performance.now() - startedAt < SECONDS * 1000) {
    const due = ((performance.now() - startedAt) / 1000) * EVENTS_PER_SECOND;
    // Each event from its own callback, as each comes from its own request in the server (and
    // Node runs microtasks, so a waiting stream wakes, between two callbacks).
    for (let i = 0; i < PER_TURN && n < due; i += 1) {
      n += 1;
      const id = n;
      setImmediate(() => {
        hub.publish({ type: 'activity', readerId: id % 10_000, event: { id, actionType: 'PAGE_VIEW', metadata: { page: id % 300 }, createdAt: 1_795_521_600_000 + id } });
      });
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const used = process.cpuUsage(started);
  published = n;
  hub.close();
  for (const client of clients) client.destroy();
  server.close();
  return { cpuMs: Math.round((used.user + used.system) / 1000), writes, bytes, published };
}

const perTurn = await run(false);
const perEvent = await run(true);
const line = (name: string, r: Run) =>
  `${name}: ${r.published} events, CPU ${r.cpuMs} ms for ${SECONDS} s (${Math.round(r.cpuMs / SECONDS / 10)} % of a core), ` +
  `${r.writes} socket writes, ${(r.bytes / 1e6).toFixed(1)} MB read, ${((r.cpuMs * 1000) / r.published).toFixed(1)} µs CPU per event`;
process.stdout.write(`${line('one write per turn ', perTurn)}\n${line('one write per event', perEvent)}\n`);
const perEventCost = (r: Run) => r.cpuMs / r.published;
process.stdout.write(`CPU per event published, one write per event / one per turn: ${(perEventCost(perEvent) / perEventCost(perTurn)).toFixed(2)}\n`);
