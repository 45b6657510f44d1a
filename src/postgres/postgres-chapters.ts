import { activityIdTaken, chapterNotFound, checkActivityId, checkChapterOrder, requireStorableText, type Chapter, type ChaptersPort } from '../domain/index.js';
import { toChapter, type ChapterRow } from '../domain/storage/stored-rows.js';
import { run, type PostgresAccess } from './postgres-access.js';
import { statements as sql } from './statements.js';
import type { WriteClient } from './write-queue.js';

/** The program's chapters on PostgreSQL. */
export class PostgresChapters implements ChaptersPort {
  constructor(private readonly db: PostgresAccess) {}

  async listChapters(): Promise<Chapter[]> {
    return (await this.db.read<ChapterRow>(sql.chapters, [])).map(toChapter);
  }

  async createChapter(input: { id: string; title: string; activityId?: string | null }): Promise<Chapter> {
    requireStorableText('title', input.title);
    const activityId = input.activityId ?? null;
    checkActivityId(activityId);
    const now = this.db.clock.now();
    return this.db.write(async (db) => {
      // Another instance may append at the same time: the lock keeps positions distinct, and an
      // activityId checked free stays free until the insert.
      await run(db, sql.lockChapters, []);
      await requireActivityFree(db, activityId, input.id);
      return toChapter((await run<ChapterRow>(db, sql.insertChapter, [input.id, input.title, now, activityId])).rows[0]!);
    }, 'A chapter with that id exists already.');
  }

  async updateChapter(id: string, input: { title?: string; activityId?: string | null }): Promise<Chapter> {
    if (input.title !== undefined) requireStorableText('title', input.title);
    checkActivityId(input.activityId);
    const now = this.db.clock.now();
    return this.db.write(async (db) => {
      if (input.activityId !== undefined) {
        await run(db, sql.lockChapters, []);
        await requireActivityFree(db, input.activityId, id);
      }
      const params = [id, input.title ?? null, now, input.title !== undefined, input.activityId ?? null, input.activityId !== undefined];
      const [row] = (await run<ChapterRow>(db, sql.updateChapter, params)).rows;
      if (!row) throw chapterNotFound();
      return toChapter(row);
    });
  }

  async reorderChapters(ids: readonly string[]): Promise<Chapter[]> {
    const now = this.db.clock.now();
    return this.db.write(async (db) => {
      await run(db, sql.lockChapters, []);
      const current = (await run<ChapterRow>(db, sql.chapters, [])).rows.map((c) => c.id);
      checkChapterOrder(current, ids);
      await run(db, sql.moveChapters, [ids, now]);
      return (await run<ChapterRow>(db, sql.chapters, [])).rows.map(toChapter);
    });
  }
}

/** Throws `conflict` when a chapter other than `chapterId` carries `activityId`. Under the chapters lock. */
async function requireActivityFree(db: WriteClient, activityId: string | null, chapterId: string): Promise<void> {
  if (activityId === null) return;
  const [other] = (await run<{ id: string }>(db, sql.chapterWithActivity, [activityId, chapterId])).rows;
  if (other) throw activityIdTaken(other.id);
}
