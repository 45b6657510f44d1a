import type { StoredXapiStatement, XapiAttachment, XapiStatementQuery, XapiStatementRecord, XapiStatementStore } from '../domain/index.js';
import { toStoredXapiStatement, XAPI_ACTOR_PAGE, XAPI_STATEMENT_COLUMNS, xapiActorPageParams, xapiStatementParams, xapiStatementQuery, type XapiStatementRow } from '../domain/storage/xapi-rows.js';
import type { PostgresWriter, Sql } from './pg-sql.js';

/** xAPI statements on PostgreSQL, as SqliteXapiStatements. */
export class PostgresXapiStatements implements XapiStatementStore {
  constructor(
    private readonly read: Sql,
    private readonly write: PostgresWriter,
  ) {}

  async insertStatements(records: readonly XapiStatementRecord[], attachments: readonly XapiAttachment[]): Promise<void> {
    await this.write(async (sql) => {
      for (const attachment of attachments) {
        await sql.run('INSERT INTO xapi_attachments (sha2, content_type, content) VALUES (?, ?, ?) ON CONFLICT (sha2) DO NOTHING', [
          attachment.sha2,
          attachment.contentType,
          Buffer.from(attachment.content).toString('base64'),
        ]);
      }
      for (const record of records) await this.insertOne(sql, record);
    }, 'A statement with that id exists already.');
  }

  private async insertOne(sql: Sql, record: XapiStatementRecord): Promise<void> {
    const row = await sql.get<{ seq: string }>(
      `INSERT INTO xapi_statements (statement_id, body, stored_at, verb_id, registration, refers_to, voids, voided, actor_key, credential_id)
       VALUES (@id, @json, @storedAt, @verbId, @registration, @refersTo, @voids,
         CASE WHEN @voids = 0 AND EXISTS (SELECT 1 FROM xapi_statements v WHERE v.refers_to = @id AND v.voids = 1) THEN 1 ELSE 0 END,
         @actorKey, @credentialId)
       RETURNING seq`,
      xapiStatementParams(record),
    );
    const seq = Number(row!.seq);
    await sql.run('INSERT INTO xapi_statement_targets (seq, target_seq) VALUES (?, ?)', [seq, seq]);
    if (record.refersTo !== null) {
      await sql.run(
        `INSERT INTO xapi_statement_targets (seq, target_seq)
         SELECT ?::bigint, t.target_seq FROM xapi_statement_targets t JOIN xapi_statements s ON s.seq = t.seq WHERE s.statement_id = ?
         ON CONFLICT DO NOTHING`,
        [seq, record.refersTo],
      );
      if (record.voids) await sql.run('UPDATE xapi_statements SET voided = 1 WHERE statement_id = ? AND voids = 0', [record.refersTo]);
    }
    await sql.run(
      `INSERT INTO xapi_statement_targets (seq, target_seq)
       SELECT reaching.seq, mine.target_seq
       FROM xapi_statements r
       JOIN xapi_statement_targets reaching ON reaching.target_seq = r.seq
       JOIN xapi_statement_targets mine ON mine.seq = @seq
       WHERE r.refers_to = @id
       ON CONFLICT DO NOTHING`,
      { seq, id: record.id },
    );
    if (record.agents.length > 0) {
      await sql.run(
        `INSERT INTO xapi_statement_agents (agent_key, related, seq)
         SELECT k, r, ?::bigint FROM unnest(?::text[], ?::int[]) AS t(k, r) ON CONFLICT DO NOTHING`,
        [seq, record.agents.map((a) => a.key), record.agents.map((a) => (a.related ? 1 : 0))],
      );
    }
    if (record.activities.length > 0) {
      await sql.run(
        `INSERT INTO xapi_statement_activities (activity_id, related, seq)
         SELECT k, r, ?::bigint FROM unnest(?::text[], ?::int[]) AS t(k, r) ON CONFLICT DO NOTHING`,
        [seq, record.activities.map((a) => a.id), record.activities.map((a) => (a.related ? 1 : 0))],
      );
    }
    for (const { id, definition } of record.definitions) {
      await sql.run(
        `INSERT INTO xapi_activities (activity_id, definition) VALUES (?, ?)
         ON CONFLICT (activity_id) DO UPDATE SET definition = excluded.definition`,
        [id, definition],
      );
    }
  }

  async getStatements(ids: readonly string[]): Promise<StoredXapiStatement[]> {
    if (ids.length === 0) return [];
    const rows = await this.read.all<XapiStatementRow>(`SELECT ${XAPI_STATEMENT_COLUMNS} FROM xapi_statements s WHERE s.statement_id = ANY(?::text[])`, [ids]);
    return rows.map(toStoredXapiStatement);
  }

  async queryStatements(query: XapiStatementQuery): Promise<StoredXapiStatement[]> {
    const { text, params } = xapiStatementQuery(query);
    const rows = await this.read.all<XapiStatementRow>(text, params);
    return rows.map(toStoredXapiStatement);
  }

  async getAttachments(sha2s: readonly string[]): Promise<XapiAttachment[]> {
    if (sha2s.length === 0) return [];
    const rows = await this.read.all<{ sha2: string; content_type: string; content: string }>(
      'SELECT sha2, content_type, content FROM xapi_attachments WHERE sha2 = ANY(?::text[])',
      [sha2s],
    );
    return rows.map((row) => ({ sha2: row.sha2, contentType: row.content_type, content: Buffer.from(row.content, 'base64') }));
  }

  async lastStoredAt(): Promise<number | null> {
    const row = await this.read.get<{ last: string | null }>('SELECT max(stored_at) AS last FROM xapi_statements');
    return row?.last == null ? null : Number(row.last);
  }

  async getActivityDefinition(activityId: string): Promise<string | null> {
    const row = await this.read.get<{ definition: string }>('SELECT definition FROM xapi_activities WHERE activity_id = ?', [activityId]);
    return row?.definition ?? null;
  }

  async listStatementsByAgent(agentKey: string, page: { readonly before: number | null; readonly limit: number }): Promise<StoredXapiStatement[]> {
    return (await this.read.all<XapiStatementRow>(XAPI_ACTOR_PAGE, xapiActorPageParams(agentKey, page))).map(toStoredXapiStatement);
  }
}
