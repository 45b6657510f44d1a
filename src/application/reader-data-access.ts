import {
  agentKeyOfEmail,
  decodeCursor,
  encodeCursor,
  pageFrom,
  type AccessLogEntry,
  type AccessLogPort,
  type ActivityEvent,
  type ActivityPort,
  type ExportsPort,
  type Milestone,
  type Page,
  type PageRequest,
  type ReadersPort,
  type StoredXapiStatement,
  type User,
  type UserDataStream,
  type XapiStatementStore,
} from '../domain/index.js';
import type { AccessRecorder } from '../live/access-recorder.js';

export interface ReaderDataAccessDeps {
  readonly readers: Pick<ReadersPort, 'getReader' | 'getReaderMilestones'>;
  readonly activity: Pick<ActivityPort, 'listActivity'>;
  /** The LRS's statements, for the ones a reader made. */
  readonly statements: Pick<XapiStatementStore, 'listStatementsByAgent'>;
  readonly accessLog: Pick<AccessLogPort, 'listAccessLog'>;
  readonly exports: Pick<ExportsPort, 'streamUserDataExport'>;
  /** Notes consultants' views (coalesced) and writes them before the log is read. */
  readonly recorder: Pick<AccessRecorder, 'record' | 'flush'>;
}

/**
 * Who sees a reader's data, and what they are owed about it: a consultant's view of one
 * reader's progress or activity is noted in that reader's access log, and the log (or a user's
 * whole data) is read only after every view noted so far is written.
 */
export class ReaderDataAccess {
  constructor(private readonly deps: ReaderDataAccessDeps) {}

  /** A reader and their milestones, as `consultantId` sees them (a noted view). Throws `not_found` for no such reader. */
  async readerProgress(consultantId: number, readerId: number): Promise<{ readonly reader: User; readonly milestones: Milestone[] }> {
    const reader = await this.deps.readers.getReader(readerId);
    const milestones = await this.deps.readers.getReaderMilestones(reader.id);
    this.deps.recorder.record(consultantId, reader.id, 'progress');
    return { reader, milestones };
  }

  /**
   * A page of a reader's activity, newest first, as `consultantId` sees it (a noted view).
   * Throws `not_found` for no such reader and `invalid_request` for a bad cursor.
   */
  async readerActivity(consultantId: number, readerId: number, page: PageRequest): Promise<Page<ActivityEvent>> {
    const reader = await this.deps.readers.getReader(readerId);
    const events = await this.deps.activity.listActivity(reader.id, page);
    this.deps.recorder.record(consultantId, reader.id, 'activity');
    return events;
  }

  /**
   * A page of the xAPI statements whose actor is the reader (mbox `mailto:` + their email, in any
   * case), non-voided, newest stored first, as `consultantId` sees them (a view of the reader's
   * activity, noted as such). Throws `not_found` for no such reader and `invalid_request` for a
   * bad cursor.
   */
  async readerStatements(consultantId: number, readerId: number, page: PageRequest): Promise<Page<StoredXapiStatement>> {
    const before = page.cursor === undefined ? null : decodeCursor(page.cursor, 1)[0]!;
    const reader = await this.deps.readers.getReader(readerId);
    const rows = await this.deps.statements.listStatementsByAgent(agentKeyOfEmail(reader.email), { before, limit: page.limit + 1 });
    this.deps.recorder.record(consultantId, reader.id, 'activity');
    return pageFrom(rows, page.limit, (last) => encodeCursor(last.sequence));
  }

  /**
   * A reader whose activity `consultantId` looks at in aggregate (events per day): a noted view of
   * their activity, as a page of it is. Throws `not_found` for no such reader.
   */
  async readerActivityTrend(consultantId: number, readerId: number): Promise<User> {
    const reader = await this.deps.readers.getReader(readerId);
    this.deps.recorder.record(consultantId, reader.id, 'activity');
    return reader;
  }

  /** A page of a reader's access log, newest first. Throws `not_found` for no such reader and `invalid_request` for a bad cursor. */
  async readerAccessLog(readerId: number, page: PageRequest): Promise<Page<AccessLogEntry>> {
    const reader = await this.deps.readers.getReader(readerId);
    return this.accessLogOf(reader.id, page);
  }

  /** A page of the user's own access log, newest first. Throws `invalid_request` for a bad cursor. */
  ownAccessLog(userId: number, page: PageRequest): Promise<Page<AccessLogEntry>> {
    return this.accessLogOf(userId, page);
  }

  /**
   * Everything stored about the user, their access log complete up to now; the activity comes in
   * batches of `batchRows`, read as the caller asks. Throws `not_found` for an unknown user.
   */
  async ownData(userId: number, batchRows: number): Promise<UserDataStream> {
    await this.deps.recorder.flush();
    return this.deps.exports.streamUserDataExport(userId, batchRows);
  }

  private async accessLogOf(readerId: number, page: PageRequest): Promise<Page<AccessLogEntry>> {
    // A cursor that is not an access-log position (time and id) is refused before any write.
    if (page.cursor !== undefined) decodeCursor(page.cursor, 2);
    await this.deps.recorder.flush();
    return this.deps.accessLog.listAccessLog(readerId, page);
  }
}
