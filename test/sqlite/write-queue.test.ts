import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/domain/index.js';
import { openDatabase, type Database } from '../../src/sqlite/open-database.js';
import { WriteQueue } from '../../src/sqlite/write-queue.js';

describe('group commit (WriteQueue)', () => {
  let dir: string;
  let db: Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'readpulse-queue-'));
    db = openDatabase({ path: join(dir, 'q.db') });
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL, v INTEGER NOT NULL CHECK (v >= 0))');
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (queue: WriteQueue, owner: number, v: number) =>
    queue.run((conn) => Number(conn.prepare('INSERT INTO t (owner, v) VALUES (?, ?)').run(owner, v).lastInsertRowid));

  it('commits concurrent writes together in one transaction and stores every acknowledged one', async () => {
    const onCommit = vi.fn();
    const queue = new WriteQueue(db, { maxPending: 1000, maxBatch: 500, onCommit });
    const ids = await Promise.all(Array.from({ length: 300 }, (_, i) => insert(queue, i % 7, i)));
    expect(onCommit).toHaveBeenCalledTimes(1);
    expect(onCommit.mock.calls[0]![0]).toBe(300);
    expect(new Set(ids).size).toBe(300);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(300);
  });

  it('runs beforeCommit once per batch inside its transaction; if it throws, the whole batch is rolled back and rejected', async () => {
    let runs = 0;
    let fail = false;
    const queue = new WriteQueue(db, {
      maxPending: 100,
      maxBatch: 100,
      beforeCommit: () => {
        runs += 1;
        expect(db.inTransaction).toBe(true);
        // Sees every write of the batch, uncommitted.
        db.prepare('INSERT INTO t (owner, v) SELECT 0, count(*) FROM t').run();
        if (fail) throw new Error('the once-per-batch work failed');
      },
    });
    await Promise.all([insert(queue, 1, 1), insert(queue, 1, 2), insert(queue, 1, 3)]);
    expect(runs).toBe(1);
    expect(db.prepare('SELECT owner, v FROM t ORDER BY id').all()).toEqual([
      { owner: 1, v: 1 },
      { owner: 1, v: 2 },
      { owner: 1, v: 3 },
      { owner: 0, v: 3 },
    ]);
    fail = true;
    const results = await Promise.allSettled([insert(queue, 2, 1), insert(queue, 2, 2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(runs).toBe(2);
    expect(db.inTransaction).toBe(false);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(4);
  });

  it('answers a write only after its transaction committed', async () => {
    const queue = new WriteQueue(db, { maxPending: 10, maxBatch: 10 });
    const reader = openDatabase({ path: join(dir, 'q.db'), readonly: true });
    const write = insert(queue, 1, 1).then(() => reader.prepare('SELECT count(*) FROM t').pluck().get());
    expect(reader.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0);
    expect(await write).toBe(1); // another connection sees it the moment the promise resolves
    reader.close();
  });

  it('isolates a failing write: it alone is rolled back, its neighbours commit', async () => {
    const queue = new WriteQueue(db, { maxPending: 100, maxBatch: 100 });
    const results = await Promise.allSettled([insert(queue, 1, 1), insert(queue, 1, -5), insert(queue, 1, 3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_CHECK' });
    expect(db.prepare('SELECT v FROM t ORDER BY id').pluck().all()).toEqual([1, 3]);
  });

  it('rolls back every statement of a failing write, not only the last', async () => {
    const queue = new WriteQueue(db, { maxPending: 100, maxBatch: 100 });
    const twoStatements = queue.run((conn) => {
      conn.prepare('INSERT INTO t (owner, v) VALUES (9, 9)').run();
      throw new Error('changed my mind');
    });
    const [failed, kept] = await Promise.allSettled([twoStatements, insert(queue, 2, 2)]);
    expect(failed!.status).toBe('rejected');
    expect(kept!.status).toBe('fulfilled');
    expect(db.prepare('SELECT owner FROM t').pluck().all()).toEqual([2]);
  });

  it('keeps the order of writes per reader', async () => {
    const queue = new WriteQueue(db, { maxPending: 10_000, maxBatch: 64 });
    await Promise.all(Array.from({ length: 1000 }, (_, i) => insert(queue, i % 10, i)));
    for (let owner = 0; owner < 10; owner += 1) {
      const values = db.prepare('SELECT v FROM t WHERE owner = ? ORDER BY id').pluck().all(owner) as number[];
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(values).toHaveLength(100);
    }
  });

  it('refuses writes beyond its bound with unavailable and Retry-After instead of buffering them', async () => {
    const queue = new WriteQueue(db, { maxPending: 5, maxBatch: 5 });
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => insert(queue, 1, i)));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(3);
    expect(refused[0]!.reason).toBeInstanceOf(AppError);
    expect(refused[0]!.reason).toMatchObject({ code: 'unavailable', retryAfterSeconds: 1 });
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(5);
  });
});
