import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Clock } from '../src/domain/index.js';
import { bulkLoad } from '../src/sqlite/bulk-load.js';
import { openDatabase } from '../src/sqlite/open-database.js';
import { migrate } from '../src/sqlite/migrate.js';
import { openSqliteStore } from '../src/sqlite/sqlite-store.js';

/**
 * What the attention sweep costs on a large program, in-process through the Store:
 *
 *   npx tsx bench/attention-sweep.ts [--readers 100000] [--runs 200] [--batch 500]
 *
 * 1. The backlog: the first sweep over a database that never had one (every old stuck chapter
 *    and every inactive reader crosses at once), batch by batch.
 * 2. The steady state: one sweep run every 30 s of (fake) time with nothing much new, the cost
 *    the server pays forever; beside it, in the same run, a naive full check (every stuck
 *    chapter past the threshold without an open item) to show what the watermarks save.
 */
const DAY = 86_400_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { readers: { type: 'string', default: '100000' }, runs: { type: 'string', default: '200' }, batch: { type: 'string', default: '500' } },
  });
  const readers = Number(values.readers);
  const runs = Number(values.runs);
  const batch = Number(values.batch);
  const dir = mkdtempSync(join(tmpdir(), 'readpulse-sweep-'));
  const path = join(dir, 'sweep.db');
  let now = Date.parse('2026-11-24T12:00:00.000Z');
  const clock: Clock = { now: () => now };
  try {
    const db = openDatabase({ path });
    migrate(db, now);
    const loaded = bulkLoad(db, { readers, consultants: 20, events: readers, chapters: 12, spanMs: 60 * DAY, now, liveReaders: 1000, passwordHash: 'x', rowsPerTransaction: 20_000 });
    db.exec('ANALYZE');
    db.close();
    const store = openSqliteStore({ path, clock });
    const stuck = store.db.prepare("SELECT count(*) FROM milestones WHERE status = 'stuck'").pluck().get() as number;
    process.stdout.write(`${loaded.readers.toLocaleString('en')} readers, ${loaded.milestones.toLocaleString('en')} milestones (${stuck.toLocaleString('en')} stuck); batch ${batch}\n\n`);

    const backlog: number[] = [];
    let opened = 0;
    for (let done = false; !done; ) {
      const started = performance.now();
      const result = await store.attention.sweepAttention(batch);
      backlog.push(performance.now() - started);
      opened += result.changed.length;
      done = result.done;
    }
    process.stdout.write(`backlog: ${backlog.length} batches, ${opened.toLocaleString('en')} items opened; per batch ${summary(backlog)}\n`);

    const naive = store.db.prepare(
      `SELECT count(*) FROM milestones m WHERE m.status = 'stuck' AND m.updated_at <= ?
         AND NOT EXISTS (SELECT 1 FROM attention_items i WHERE i.reader_id = m.user_id AND i.reason = 'stuck'
                           AND i.chapter_id = m.chapter_id AND i.state <> 'resolved')`,
    ).pluck();
    const steady: number[] = [];
    const full: number[] = [];
    const reader = store.db.prepare("SELECT id FROM users WHERE role = 'reader' ORDER BY id LIMIT 50").pluck().all() as number[];
    for (let i = 0; i < runs; i += 1) {
      now += 30_000;
      // A little real traffic between runs: a few readers get stuck, others come back.
      await store.progress.upsertMilestone(reader[i % reader.length]!, { chapterId: `ch-run-${i}`, status: 'stuck', score: null });
      await store.sessions.updateHeartbeat(reader[(i + 25) % reader.length]!, now);
      let started = performance.now();
      await store.attention.sweepAttention(batch);
      steady.push(performance.now() - started);
      started = performance.now();
      naive.get(now - 60 * 60_000);
      full.push(performance.now() - started);
    }
    process.stdout.write(`steady state, ${runs} runs: sweep ${summary(steady)}\n`);
    process.stdout.write(`same runs, naive full check of the stuck rule alone: ${summary(full)}\n`);
    process.stdout.write(`ratio of medians (naive / sweep): ${(median(full) / median(steady)).toFixed(1)}x\n`);
    await store.operations.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function summary(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);
  return `median ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${sorted.at(-1)!.toFixed(2)} ms`;
}

await main();
