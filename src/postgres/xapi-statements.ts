import type { StoredXapiStatement, XapiAttachment, XapiStatementQuery, XapiStatementRecord, XapiStatementStore } from '../domain/index.js';
import { toStoredXapiStatement, XAPI_ACTOR_PAGE, XAPI_STATEMENT_COLUMNS, xapiActorPageParams, xapiStatementParams, xapiStatementQuery, type XapiStatementRow } from '../domain/storage/xapi-rows.js';
import type { PostgresWriter, Sql } from './pg-sql.js';

/** xAPI statements on PostgreSQL, as SqliteXapiStatements. */
export class PostgresXapiStatements implements XapiStatementStore {
  constructor(
    private readonly read: Sql,
    private readonly write: PostgresWriter,
  ) {}

  /**
   * The batch in a constant number of statements, whatever its size: the attachments, the
   * statements (seq handed out in the batch's order), their targets, the voiding of earlier and
   * batch-mates' targets, agents, activities and definitions, one multi-row statement each. The
   * stored rows are those of inserting the statements one by one (as SQLite does):
   * - a statement is stored voided when a voiding statement stored before it names it; the
   *   batch's voiding statements then void what they name (stored before or within the batch);
   * - every statement reaches itself and, through StatementRef, its targets recursively: the
   *   batch's statements, and the ones stored earlier that reach a statement naming one of them,
   *   get their full closure (one recursive walk; rows present already are kept);
   * - a definition given twice in the batch keeps the later one.
   */
  async insertStatements(records: readonly XapiStatementRecord[], attachments: readonly XapiAttachment[]): Promise<void> {
    if (records.length === 0 && attachments.length === 0) return;
    await this.write(async (sql) => {
      if (attachments.length > 0) {
        await sql.run(
          `INSERT INTO xapi_attachments (sha2, content_type, content)
           SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) ON CONFLICT (sha2) DO NOTHING`,
          [attachments.map((a) => a.sha2), attachments.map((a) => a.contentType), attachments.map((a) => Buffer.from(a.content).toString('base64'))],
        );
      }
      if (records.length > 0) await this.insertRecords(sql, records);
    }, 'A statement with that id exists already.');
  }

  private async insertRecords(sql: Sql, records: readonly XapiStatementRecord[]): Promise<void> {
    const params = records.map(xapiStatementParams);
    const column = <K extends string>(key: K) => params.map((p) => p[key]);
    const rows = await sql.all<{ seq: string; statement_id: string }>(
      `INSERT INTO xapi_statements (statement_id, body, stored_at, verb_id, registration, refers_to, voids, voided, actor_key, credential_id)
       SELECT t.id, t.json, t.stored_at, t.verb_id, t.registration, t.refers_to, t.voids,
              CASE WHEN t.voids = 0 AND EXISTS (SELECT 1 FROM xapi_statements v WHERE v.refers_to = t.id AND v.voids = 1) THEN 1 ELSE 0 END,
              t.actor_key, t.credential_id
       FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::bigint[])
            WITH ORDINALITY AS t(id, json, stored_at, verb_id, registration, refers_to, voids, actor_key, credential_id, n)
       ORDER BY t.n
       RETURNING seq, statement_id`,
      [
        column('id'),
        column('json'),
        column('storedAt'),
        column('verbId'),
        column('registration'),
        column('refersTo'),
        column('voids'),
        column('actorKey'),
        column('credentialId'),
      ],
    );
    const seqOf = new Map(rows.map((row) => [row.statement_id, Number(row.seq)]));
    const seqs = records.map((record) => seqOf.get(record.id)!);
    const newIds = records.map((record) => record.id);
    // The closure of StatementRef targets for the batch's statements and for every statement
    // stored earlier that reaches one naming a batch statement (their old rows stay; new ones add).
    await sql.run(
      `WITH RECURSIVE start(seq) AS (
         SELECT unnest(?::bigint[])
         UNION
         SELECT reaching.seq FROM xapi_statements r JOIN xapi_statement_targets reaching ON reaching.target_seq = r.seq
         WHERE r.refers_to = ANY(?::text[])
       ), reach(seq, target_seq) AS (
         SELECT seq, seq FROM start
         UNION
         SELECT reach.seq, c.seq FROM reach
         JOIN xapi_statements b ON b.seq = reach.target_seq
         JOIN xapi_statements c ON c.statement_id = b.refers_to
       )
       INSERT INTO xapi_statement_targets (seq, target_seq) SELECT seq, target_seq FROM reach ON CONFLICT DO NOTHING`,
      [seqs, newIds],
    );
    const voided = records.filter((record) => record.voids && record.refersTo !== null).map((record) => record.refersTo!);
    if (voided.length > 0) await sql.run('UPDATE xapi_statements SET voided = 1 WHERE statement_id = ANY(?::text[]) AND voids = 0', [voided]);
    const agents = records.flatMap((record, i) =>
      record.agents.map((agent) => ({ key: agent.key, related: agent.related ? 1 : 0, seq: seqs[i]!, storedAt: record.storedAt })),
    );
    if (agents.length > 0) {
      await sql.run(
        `INSERT INTO xapi_statement_agents (agent_key, related, seq, stored_at)
         SELECT * FROM unnest(?::text[], ?::int[], ?::bigint[], ?::bigint[]) ON CONFLICT DO NOTHING`,
        [agents.map((a) => a.key), agents.map((a) => a.related), agents.map((a) => a.seq), agents.map((a) => a.storedAt)],
      );
    }
    const activities = records.flatMap((record, i) =>
      record.activities.map((activity) => ({ id: activity.id, related: activity.related ? 1 : 0, seq: seqs[i]!, storedAt: record.storedAt })),
    );
    if (activities.length > 0) {
      await sql.run(
        `INSERT INTO xapi_statement_activities (activity_id, related, seq, stored_at)
         SELECT * FROM unnest(?::text[], ?::int[], ?::bigint[], ?::bigint[]) ON CONFLICT DO NOTHING`,
        [activities.map((a) => a.id), activities.map((a) => a.related), activities.map((a) => a.seq), activities.map((a) => a.storedAt)],
      );
    }
    // One row per activity (ON CONFLICT DO UPDATE may touch a row once per statement): the later wins.
    const definitions = new Map<string, string>();
    for (const record of records) for (const { id, definition } of record.definitions) definitions.set(id, definition);
    if (definitions.size > 0) {
      await sql.run(
        `INSERT INTO xapi_activities (activity_id, definition)
         SELECT * FROM unnest(?::text[], ?::text[])
         ON CONFLICT (activity_id) DO UPDATE SET definition = excluded.definition`,
        [[...definitions.keys()], [...definitions.values()]],
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
