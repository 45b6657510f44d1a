import { activityIdTaken, chapterNotFound, checkActivityId, checkChapterOrder, requireStorableText, type Chapter, type ChaptersPort, type Clock } from '../domain/index.js';
import { toChapter, type ChapterRow } from '../domain/storage/stored-rows.js';
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
    return this.all();
  }

  async createChapter(input: { id: string; title: string; activityId?: string | null }): Promise<Chapter> {
    requireStorableText('title', input.title);
    const activityId = input.activityId ?? null;
    checkActivityId(activityId);
    const now = this.clock.now();
    return this.write(() => {
      this.requireActivityFree(activityId, input.id);
      return toChapter(this.sql.insertChapter.get({ id: input.id, title: input.title, activityId, now }) as ChapterRow);
    }, 'A chapter with that id exists already.');
  }

  async updateChapter(id: string, input: { title?: string; activityId?: string | null }): Promise<Chapter> {
    if (input.title !== undefined) requireStorableText('title', input.title);
    checkActivityId(input.activityId);
    const now = this.clock.now();
    return this.write(() => {
      if (input.activityId !== undefined) this.requireActivityFree(input.activityId, id);
      const row = this.sql.updateChapter.get({
        id,
        now,
        setTitle: input.title === undefined ? 0 : 1,
        title: input.title ?? null,
        setActivity: input.activityId === undefined ? 0 : 1,
        activityId: input.activityId ?? null,
      }) as ChapterRow | undefined;
      if (!row) throw chapterNotFound();
      return toChapter(row);
    });
  }

  async reorderChapters(ids: readonly string[]): Promise<Chapter[]> {
    const now = this.clock.now();
    return this.write(() => {
      const current = this.all().map((c) => c.id);
      checkChapterOrder(current, ids);
      ids.forEach((id, index) => this.sql.moveChapter.run({ id, position: index + 1, now }));
      return this.all();
    });
  }

  private all(): Chapter[] {
    return (this.sql.chapters.all() as ChapterRow[]).map(toChapter);
  }

  /** Throws `conflict` when a chapter other than `chapterId` carries `activityId`. Inside the write. */
  private requireActivityFree(activityId: string | null, chapterId: string): void {
    if (activityId === null) return;
    const other = this.sql.chapterWithActivity.get({ activityId, id: chapterId }) as string | undefined;
    if (other !== undefined) throw activityIdTaken(other);
  }
}
