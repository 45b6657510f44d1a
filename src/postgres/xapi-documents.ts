import type { XapiDocument, XapiDocumentScope, XapiDocumentStore } from '../domain/index.js';
import { toXapiDocument, XAPI_DOCUMENT_SCOPE, xapiDocumentParams, type XapiDocumentRow } from '../domain/storage/xapi-rows.js';
import type { PostgresWriter, Sql } from './pg-sql.js';

const SCOPE = XAPI_DOCUMENT_SCOPE;

/** xAPI documents on PostgreSQL, as SqliteXapiDocuments. */
export class PostgresXapiDocuments implements XapiDocumentStore {
  constructor(
    private readonly read: Sql,
    private readonly write: PostgresWriter,
  ) {}

  async getDocument(scope: XapiDocumentScope, documentId: string): Promise<XapiDocument | null> {
    const row = await this.read.get<XapiDocumentRow>(
      `SELECT content_type, content, etag, updated_at FROM xapi_documents WHERE ${SCOPE} AND document_id = @documentId`,
      { ...scope, documentId },
    );
    return row ? toXapiDocument(row) : null;
  }

  async listDocumentIds(scope: XapiDocumentScope, since: number | null): Promise<string[]> {
    const rows = await this.read.all<{ document_id: string }>(
      `SELECT document_id FROM xapi_documents WHERE ${SCOPE} AND updated_at > @since ORDER BY document_id`,
      { ...scope, since: since ?? -1 },
    );
    return rows.map((row) => row.document_id);
  }

  async putDocument(scope: XapiDocumentScope, documentId: string, document: XapiDocument): Promise<void> {
    await this.write((sql) =>
      sql.run(
        `INSERT INTO xapi_documents (kind, activity_id, agent_key, registration, document_id, content_type, content, etag, updated_at)
         VALUES (@kind, @activityId, @agentKey, @registration, @documentId, @contentType, @content, @etag, @updatedAt)
         ON CONFLICT (kind, activity_id, agent_key, registration, document_id) DO UPDATE SET
           content_type = excluded.content_type, content = excluded.content, etag = excluded.etag, updated_at = excluded.updated_at`,
        xapiDocumentParams(scope, documentId, document),
      ),
    );
  }

  async deleteDocument(scope: XapiDocumentScope, documentId: string): Promise<void> {
    await this.write((sql) => sql.run(`DELETE FROM xapi_documents WHERE ${SCOPE} AND document_id = @documentId`, { ...scope, documentId }));
  }

  async deleteDocuments(scope: XapiDocumentScope): Promise<void> {
    await this.write((sql) => sql.run(`DELETE FROM xapi_documents WHERE ${SCOPE}`, { ...scope }));
  }
}
