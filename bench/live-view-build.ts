/**
 * `npx tsx bench/live-view-build.ts`: the live view at 10,000 readers online, in one process:
 * reading every active reader from the store (what a build did, and what the 5-second sync with
 * the store still does) against building the view from presence's memory (what a build does
 * once presence has started). Five rounds each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveDashboard } from '../src/http/live-dashboard.js';
import { Presence } from '../src/live/presence.js';
import { openSqliteStore } from '../src/sqlite/sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'readpulse-live-view-'));
const clock = { now: () => Date.now() }; // a bench script, not the server: the wall clock directly
const store = openSqliteStore({ path: join(dir, 'live.db'), clock });
const users: Promise<import('../src/domain/index.js').User>[] = [];
for (let i = 0; i < 10000; i += 1) users.push(store.users.createUser({ email: `u${i}@x.test`, name: `U${i}`, role: 'reader', passwordHash: 'x' }));
const made = await Promise.all(users);
await store.sessions.recordHeartbeats([]);
const presence = new Presence({ store, clock, flushIntervalMs: 1000, log: { error() {} }, onPresence: () => {} });
for (const u of made) presence.touch(u, 't' + u.id);
await Promise.all(made.map((u) => store.sessions.updateHeartbeat(u.id, Date.now())));
presence.start();
await new Promise((r) => setTimeout(r, 300));
for (let r = 0; r < 5; r += 1) {
  let t = performance.now();
  const all = await store.readers.getAllActiveUsers(Date.now() - 60000);
  const q = performance.now() - t;
  t = performance.now();
  const dash = new LiveDashboard(presence, clock);
  await dash.current(200);
  console.log(`getAllActiveUsers ${all.length}: ${q.toFixed(1)} ms; live view build+render: ${(performance.now() - t).toFixed(1)} ms`);
}
await presence.stop();
await store.operations.close();
rmSync(dir, { recursive: true, force: true });
