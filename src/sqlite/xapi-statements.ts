import type { StoredXapiStatement, XapiAttachment, XapiStatementQuery, XapiStatementRecord, XapiStatementStore } from '../domain/index.js';
import { toStoredXapiStatement, XAPI_ACTOR_PAGE, XAPI_STATEMENT_COLUMNS, xapiActorPageParams, xapiStatementParams, xapiStatementQuery, type XapiStatementRow } from '../domain/storage/xapi-rows.js';
import type { Database } from './open-database.js';
import type { SqliteWriter } from './sqlite-writer.js';

type Statement = ReturnType<Database['prepare']>;

/** xAPI statements on SQLite: a row per statement, its agents, activities and StatementRef targets. */
export class SqliteXapiStatements implements XapiStatementStore {
  private readonly sql;
  private readonly queries = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly write: SqliteWriter,
  ) {
    this.sql = {
      insert: db.prepare(
        `INSERT INTO xapi_statements (statement_id, body, stored_at, verb_id, registration, refers_to, voids, voided, actor_key, credential_id)
         VALUES (@id, @json, @storedAt, @verbId, @registration, @refersTo, @voids,
           CASE WHEN @voids = 0 AND EXISTS (SELECT 1 FROM xapi_statements v WHERE v.refers_to = @id AND v.voids = 1) THEN 1 ELSE 0 END,
           @actorKey, @credentialId)
         RETURNING seq`,
      ).pluck(),
      voidTarget: db.prepare('UPDATE xapi_statements SET voided = 1 WHERE statement_id = ? AND voids = 0'),
      selfTarget: db.prepare('INSERT INTO xapi_statement_targets (seq, target_seq) VALUES (?, ?)'),
      inheritTargets: db.prepare(
        `INSERT OR IGNORE INTO xapi_statement_targets (seq, target_seq)
         SELECT ?, t.target_seq FROM xapi_statement_targets t JOIN xapi_statements s ON s.seq = t.seq WHERE s.statement_id = ?`,
      ),
      // Statements stored earlier that target this one (through any chain) now reach its targets too.
      spreadTargets: db.prepare(
        `INSERT OR IGNORE INTO xapi_statement_targets (seq, target_seq)
         SELECT reaching.seq, mine.target_seq
         FROM xapi_statements r
         JOIN xapi_statement_targets reaching ON reaching.target_seq = r.seq
         JOIN xapi_statement_targets mine ON mine.seq = @seq
         WHERE r.refers_to = @id`,
      ),
      agent: db.prepare('INSERT OR IGNORE INTO xapi_statement_agents (agent_key, related, seq, stored_at) VALUES (?, ?, ?, ?)'),
      activity: db.prepare('INSERT OR IGNORE INTO xapi_statement_activities (activity_id, related, seq, stored_at) VALUES (?, ?, ?, ?)'),
      definition: db.prepare(
        `INSERT INTO xapi_activities (activity_id, definition) VALUES (?, ?)
         ON CONFLICT (activity_id) DO UPDATE SET definition = excluded.definition`,
      ),
      attachment: db.prepare('INSERT OR IGNORE INTO xapi_attachments (sha2, content_type, content) VALUES (?, ?, ?)'),
      byIds: db.prepare(`SELECT ${XAPI_STATEMENT_COLUMNS} FROM xapi_statements s WHERE s.statement_id IN (SELECT value FROM json_each(?))`),
      attachments: db.prepare('SELECT sha2, content_type, content FROM xapi_attachments WHERE sha2 IN (SELECT value FROM json_each(?))'),
      lastStored: db.prepare('SELECT max(stored_at) FROM xapi_statements').pluck(),
      definitionOf: db.prepare('SELECT definition FROM xapi_activities WHERE activity_id = ?').pluck(),
      byActor: db.prepare(XAPI_ACTOR_PAGE),
    };
  }

  async insertStatements(records: readonly XapiStatementRecord[], attachments: readonly XapiAttachment[]): Promise<void> {
    await this.write(() => {
      for (const attachment of attachments) {
        this.sql.attachment.run(attachment.sha2, attachment.contentType, Buffer.from(attachment.content).toString('base64'));
      }
      for (const record of records) this.insertOne(record);
    }, 'A statement with that id exists already.');
  }

  private insertOne(record: XapiStatementRecord): void {
    const seq = this.sql.insert.get(xapiStatementParams(record)) as number;
    this.sql.selfTarget.run(seq, seq);
    if (record.refersTo !== null) {
      this.sql.inheritTargets.run(seq, record.refersTo);
      if (record.voids) this.sql.voidTarget.run(record.refersTo);
    }
    this.sql.spreadTargets.run({ seq, id: record.id });
    for (const agent of record.agents) this.sql.agent.run(agent.key, agent.related ? 1 : 0, seq, record.storedAt);
    for (const activity of record.activities) this.sql.activity.run(activity.id, activity.related ? 1 : 0, seq, record.storedAt);
    for (const { id, definition } of record.definitions) this.sql.definition.run(id, definition);
  }

  async getStatements(ids: readonly string[]): Promise<StoredXapiStatement[]> {
    if (ids.length === 0) return [];
    return (this.sql.byIds.all(JSON.stringify(ids)) as XapiStatementRow[]).map(toStoredXapiStatement);
  }

  async queryStatements(query: XapiStatementQuery): Promise<StoredXapiStatement[]> {
    const { text, params } = xapiStatementQuery(query);
    let statement = this.queries.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.queries.set(text, statement);
    }
    return (statement.all(params) as XapiStatementRow[]).map(toStoredXapiStatement);
  }

  async getAttachments(sha2s: readonly string[]): Promise<XapiAttachment[]> {
    if (sha2s.length === 0) return [];
    const rows = this.sql.attachments.all(JSON.stringify(sha2s)) as { sha2: string; content_type: string; content: string }[];
    return rows.map((row) => ({ sha2: row.sha2, contentType: row.content_type, content: Buffer.from(row.content, 'base64') }));
  }

  async lastStoredAt(): Promise<number | null> {
    return (this.sql.lastStored.get() as number | null) ?? null;
  }

  async getActivityDefinition(activityId: string): Promise<string | null> {
    return (this.sql.definitionOf.get(activityId) as string | undefined) ?? null;
  }

  async listStatementsByAgent(agentKey: string, page: { readonly before: number | null; readonly limit: number }): Promise<StoredXapiStatement[]> {
    return (this.sql.byActor.all(xapiActorPageParams(agentKey, page)) as XapiStatementRow[]).map(toStoredXapiStatement);
  }
}
