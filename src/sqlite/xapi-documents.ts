import type { XapiDocument, XapiDocumentScope, XapiDocumentStore } from '../domain/index.js';
import { toXapiDocument, XAPI_DOCUMENT_SCOPE, xapiDocumentParams, type XapiDocumentRow } from '../domain/storage/xapi-rows.js';
import type { Database } from './open-database.js';
import type { SqliteWriter } from './sqlite-writer.js';

const SCOPE = XAPI_DOCUMENT_SCOPE;

/** xAPI documents (state, activity profiles, agent profiles) on SQLite. */
export class SqliteXapiDocuments implements XapiDocumentStore {
  private readonly sql;

  constructor(
    db: Database,
    private readonly write: SqliteWriter,
  ) {
    this.sql = {
      get: db.prepare(`SELECT content_type, content, etag, updated_at FROM xapi_documents WHERE ${SCOPE} AND document_id = @documentId`),
      list: db.prepare(`SELECT document_id FROM xapi_documents WHERE ${SCOPE} AND updated_at > @since ORDER BY document_id`).pluck(),
      put: db.prepare(
        `INSERT INTO xapi_documents (kind, activity_id, agent_key, registration, document_id, content_type, content, etag, updated_at)
         VALUES (@kind, @activityId, @agentKey, @registration, @documentId, @contentType, @content, @etag, @updatedAt)
         ON CONFLICT (kind, activity_id, agent_key, registration, document_id) DO UPDATE SET
           content_type = excluded.content_type, content = excluded.content, etag = excluded.etag, updated_at = excluded.updated_at`,
      ),
      deleteOne: db.prepare(`DELETE FROM xapi_documents WHERE ${SCOPE} AND document_id = @documentId`),
      deleteAll: db.prepare(`DELETE FROM xapi_documents WHERE ${SCOPE}`),
    };
  }

  async getDocument(scope: XapiDocumentScope, documentId: string): Promise<XapiDocument | null> {
    const row = this.sql.get.get({ ...scope, documentId }) as XapiDocumentRow | undefined;
    return row ? toXapiDocument(row) : null;
  }

  async listDocumentIds(scope: XapiDocumentScope, since: number | null): Promise<string[]> {
    return this.sql.list.all({ ...scope, since: since ?? -1 }) as string[];
  }

  async putDocument(scope: XapiDocumentScope, documentId: string, document: XapiDocument): Promise<void> {
    await this.write(() => {
      this.sql.put.run(xapiDocumentParams(scope, documentId, document));
    });
  }

  async deleteDocument(scope: XapiDocumentScope, documentId: string): Promise<void> {
    await this.write(() => this.sql.deleteOne.run({ ...scope, documentId }));
  }

  async deleteDocuments(scope: XapiDocumentScope): Promise<void> {
    await this.write(() => this.sql.deleteAll.run({ ...scope }));
  }
}
