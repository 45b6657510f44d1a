import { describe, expect, it } from 'vitest';
import type { Heartbeat, Store, User } from '../../src/domain/index.js';
import { DEFAULT_FLUSH_CHUNK, Presence } from '../../src/live/presence.js';
import { FakeClock } from '../support/fake-clock.js';

const reader = (id: number): User => ({ id, email: `r${id}@example.test`, name: '', role: 'reader', createdAt: 0, lastActiveAt: null });

/** Records what happens in order: each transaction's size, and each turn the flush yields. */
function harness(options: { failOnCall?: number } = {}) {
  const clock = new FakeClock();
  const log: string[] = [];
  const written: Heartbeat[][] = [];
  const sessions = {
    async recordHeartbeats(beats: readonly Heartbeat[]) {
      if (written.length + 1 === options.failOnCall) {
        options.failOnCall = undefined;
        throw new Error('database is locked');
      }
      written.push([...beats]);
      log.push(`write ${beats.length}`);
    },
  };
  const store = { sessions } as unknown as Store;
  const errors: object[] = [];
  const presence = new Presence({
    store,
    clock,
    flushIntervalMs: 1000,
    log: { error: (obj) => errors.push(obj) },
    yieldTurn: async () => {
      log.push('yield');
    },
  });
  return { clock, log, written, presence, errors };
}

describe('presence: the heartbeat flush at 10,000 sessions', () => {
  it('writes bounded chunks and yields to the event loop between them', async () => {
    const { clock, log, written, presence } = harness();
    for (let id = 1; id <= 10_000; id += 1) presence.touch(reader(id), `token-${id}`);
    clock.advance(1000);
    await presence.flush();
    const chunks = 10_000 / DEFAULT_FLUSH_CHUNK;
    expect(written).toHaveLength(chunks);
    expect(written.every((chunk) => chunk.length === DEFAULT_FLUSH_CHUNK)).toBe(true);
    expect(new Set(written.flat().map((beat) => beat.tokenHash)).size).toBe(10_000);
    // write, yield, write, yield, ..., write: never two transactions in one turn
    expect(log).toEqual(Array.from({ length: chunks * 2 - 1 }, (_, i) => (i % 2 === 0 ? `write ${DEFAULT_FLUSH_CHUNK}` : 'yield')));
  });

  it('keeps the unflushed sessions visible between chunks, and a failed chunk and the rest for the next flush', async () => {
    const { written, presence, errors } = harness({ failOnCall: 3 });
    for (let id = 1; id <= 2_000; id += 1) presence.touch(reader(id), `token-${id}`);
    await presence.flush();
    expect(written.map((chunk) => chunk.length)).toEqual([500, 500]);
    expect(errors).toHaveLength(1);
    expect(presence.pendingLastSeen('token-1500')).toBeDefined();
    expect(presence.pendingLastSeen('token-1')).toBeUndefined();
    await presence.flush();
    expect(written.map((chunk) => chunk.length)).toEqual([500, 500, 500, 500]);
    expect(new Set(written.flat().map((beat) => beat.tokenHash)).size).toBe(2_000);
  });
});

describe('presence: taking in the store\'s activity at 10,000 active readers', () => {
  it('reads them in pages with a turn of the event loop between, and announces each once', async () => {
    const clock = new FakeClock();
    const active = Array.from({ length: 2_500 }, (_, i) => ({ ...reader(i + 1), lastActiveAt: clock.now() - 1000 + (i % 7) }));
    const log: string[] = [];
    const readers = {
      async getActiveReadersPage(since: number, after: { lastActiveAt: number; id: number } | null, limit: number) {
        const sorted = active
          .filter((u) => u.lastActiveAt > since)
          .sort((a, b) => a.lastActiveAt - b.lastActiveAt || a.id - b.id)
          .filter((u) => after === null || u.lastActiveAt > after.lastActiveAt || (u.lastActiveAt === after.lastActiveAt && u.id > after.id));
        const page = sorted.slice(0, limit);
        log.push(`read ${page.length}`);
        return page;
      },
    };
    const store = { readers } as unknown as Store;
    const announced: number[] = [];
    const presence = new Presence({
      store,
      clock,
      flushIntervalMs: 1000,
      log: { error: () => {} },
      onPresence: (r, online) => online && announced.push(r.id),
      yieldTurn: async () => {
        log.push('yield');
      },
    });
    await presence.syncWithStore(true);
    expect(log).toEqual(['read 1000', 'yield', 'read 1000', 'yield', 'read 500']);
    expect(new Set(announced).size).toBe(2_500);
    await presence.syncWithStore(true);
    expect(announced).toHaveLength(2_500);
  });
});
