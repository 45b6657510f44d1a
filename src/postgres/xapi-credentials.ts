import { AppError, type Clock, type LrsCredential, type LrsCredentialStore, type NewLrsCredential } from '../domain/index.js';
import type { PostgresWriter, Sql } from './pg-sql.js';

interface CredentialRow {
  id: string | number;
  name: string;
  key: string;
  created_at: string | number;
  secret_hash: string;
}

const toCredential = (row: CredentialRow): LrsCredential => ({
  id: Number(row.id),
  name: row.name,
  key: row.key,
  createdAt: Number(row.created_at),
});

/** LRS credentials on PostgreSQL, as SqliteLrsCredentials. */
export class PostgresLrsCredentials implements LrsCredentialStore {
  constructor(
    private readonly read: Sql,
    private readonly clock: Clock,
    private readonly write: PostgresWriter,
  ) {}

  async createLrsCredential(input: NewLrsCredential): Promise<LrsCredential> {
    const now = this.clock.now();
    return this.write(
      async (sql) =>
        toCredential(
          (await sql.get<CredentialRow>('INSERT INTO lrs_credentials (name, key, secret_hash, created_at) VALUES (?, ?, ?, ?) RETURNING *', [
            input.name,
            input.key,
            input.secretHash,
            now,
          ]))!,
        ),
      'An LRS credential with that key exists already.',
    );
  }

  async listLrsCredentials(): Promise<LrsCredential[]> {
    return (await this.read.all<CredentialRow>('SELECT * FROM lrs_credentials ORDER BY id DESC')).map(toCredential);
  }

  async findLrsCredential(key: string): Promise<{ credential: LrsCredential; secretHash: string } | null> {
    const row = await this.read.get<CredentialRow>('SELECT * FROM lrs_credentials WHERE key = ?', [key]);
    return row ? { credential: toCredential(row), secretHash: row.secret_hash } : null;
  }

  async deleteLrsCredential(id: number): Promise<void> {
    await this.write(async (sql) => {
      if ((await sql.run('DELETE FROM lrs_credentials WHERE id = ?', [id])) === 0) throw new AppError('not_found', 'No such LRS credential.');
    });
  }
}
