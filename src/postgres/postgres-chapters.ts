import { chapterNotFound, checkChapterOrder, requireStorableText, type Chapter, type ChaptersPort } from '../domain/index.js';
import { run, type PostgresAccess } from './postgres-access.js';
import { statements as sql } from './statements.js';

/** The program's chapters on PostgreSQL. */
export class PostgresChapters implements ChaptersPort {
  constructor(private readonly db: PostgresAccess) {}

  async listChapters(): Promise<Chapter[]> {
    return this.db.read<Chapter>(sql.chapters, []);
  }

  async createChapter(input: { id: string; title: string }): Promise<Chapter> {
    requireStorableText('title', input.title);
    const now = this.db.clock.now();
    return this.db.write(async (db) => {
      // Another instance may append at the same time: the lock keeps positions distinct.
      await run(db, sql.lockChapters, []);
      return (await run<Chapter>(db, sql.insertChapter, [input.id, input.title, now])).rows[0]!;
    }, 'A chapter with that id exists already.');
  }

  async updateChapter(id: string, input: { title: string }): Promise<Chapter> {
    requireStorableText('title', input.title);
    const now = this.db.clock.now();
    return this.db.write(async (db) => {
      const [chapter] = (await run<Chapter>(db, sql.renameChapter, [id, input.title, now])).rows;
      if (!chapter) throw chapterNotFound();
      return chapter;
    });
  }

  async reorderChapters(ids: readonly string[]): Promise<Chapter[]> {
    const now = this.db.clock.now();
    return this.db.write(async (db) => {
      await run(db, sql.lockChapters, []);
      const current = (await run<Chapter>(db, sql.chapters, [])).rows.map((c) => c.id);
      checkChapterOrder(current, ids);
      await run(db, sql.moveChapters, [ids, now]);
      return (await run<Chapter>(db, sql.chapters, [])).rows;
    });
  }
}
