import { chapterNotFound, checkChapterOrder, requireStorableText, type Chapter, type ChaptersPort, type Clock } from '../domain/index.js';
import type { Statements } from './statements.js';
import type { SqliteWriter } from './sqlite-writer.js';

/** The program's chapters on SQLite. */
export class SqliteChapters implements ChaptersPort {
  constructor(
    private readonly sql: Statements,
    private readonly clock: Clock,
    private readonly write: SqliteWriter,
  ) {}

  async listChapters(): Promise<Chapter[]> {
    return this.sql.chapters.all() as Chapter[];
  }

  async createChapter(input: { id: string; title: string }): Promise<Chapter> {
    requireStorableText('title', input.title);
    const now = this.clock.now();
    return this.write(() => this.sql.insertChapter.get({ ...input, now }) as Chapter, 'A chapter with that id exists already.');
  }

  async updateChapter(id: string, input: { title: string }): Promise<Chapter> {
    requireStorableText('title', input.title);
    const now = this.clock.now();
    return this.write(() => {
      const chapter = this.sql.renameChapter.get({ id, title: input.title, now }) as Chapter | undefined;
      if (!chapter) throw chapterNotFound();
      return chapter;
    });
  }

  async reorderChapters(ids: readonly string[]): Promise<Chapter[]> {
    const now = this.clock.now();
    return this.write(() => {
      const current = (this.sql.chapters.all() as Chapter[]).map((c) => c.id);
      checkChapterOrder(current, ids);
      ids.forEach((id, index) => this.sql.moveChapter.run({ id, position: index + 1, now }));
      return this.sql.chapters.all() as Chapter[];
    });
  }
}
