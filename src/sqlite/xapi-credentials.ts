import { AppError, type LrsCredential, type LrsCredentialStore, type NewLrsCredential } from '../domain/index.js';
import type { Clock } from '../domain/index.js';
import type { Database } from './open-database.js';
import type { SqliteWriter } from './sqlite-writer.js';

interface CredentialRow {
  id: number;
  name: string;
  key: string;
  created_at: number;
  secret_hash: string;
}

const toCredential = (row: CredentialRow): LrsCredential => ({ id: row.id, name: row.name, key: row.key, createdAt: row.created_at });

/** LRS credentials on SQLite. */
export class SqliteLrsCredentials implements LrsCredentialStore {
  private readonly sql;

  constructor(
    db: Database,
    private readonly clock: Clock,
    private readonly write: SqliteWriter,
  ) {
    this.sql = {
      insert: db.prepare('INSERT INTO lrs_credentials (name, key, secret_hash, created_at) VALUES (?, ?, ?, ?) RETURNING *'),
      list: db.prepare('SELECT * FROM lrs_credentials ORDER BY id DESC'),
      byKey: db.prepare('SELECT * FROM lrs_credentials WHERE key = ?'),
      delete: db.prepare('DELETE FROM lrs_credentials WHERE id = ?'),
    };
  }

  async createLrsCredential(input: NewLrsCredential): Promise<LrsCredential> {
    const now = this.clock.now();
    return this.write(
      () => toCredential(this.sql.insert.get(input.name, input.key, input.secretHash, now) as CredentialRow),
      'An LRS credential with that key exists already.',
    );
  }

  async listLrsCredentials(): Promise<LrsCredential[]> {
    return (this.sql.list.all() as CredentialRow[]).map(toCredential);
  }

  async findLrsCredential(key: string): Promise<{ credential: LrsCredential; secretHash: string } | null> {
    const row = this.sql.byKey.get(key) as CredentialRow | undefined;
    return row ? { credential: toCredential(row), secretHash: row.secret_hash } : null;
  }

  async deleteLrsCredential(id: number): Promise<void> {
    await this.write(() => {
      if (this.sql.delete.run(id).changes === 0) throw new AppError('not_found', 'No such LRS credential.');
    });
  }
}
