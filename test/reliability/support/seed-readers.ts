import { newSessionToken } from '../../../src/auth/session-token.js';
import { systemClock, type Store } from '../../../src/domain/index.js';
import { openSqliteStore } from '../../../src/sqlite/sqlite-store.js';

export interface SeededReader {
  readonly id: number;
  readonly token: string;
}

const SESSION_LIFETIME_MS = 86_400_000;

/**
 * Creates `count` readers with one session each directly in the database at `dbFile` (created and
 * migrated), before any server runs on it; no password hashing, as in bench/seed-database.ts.
 */
export async function seedReaders(dbFile: string, count: number, prefix = 'reader'): Promise<SeededReader[]> {
  const store = openSqliteStore({ path: dbFile, clock: systemClock });
  try {
    return await seedReadersInto(store, count, prefix);
  } finally {
    await store.operations.close();
  }
}

/** The same readers and sessions, through any open Store (the caller closes it). */
export function seedReadersInto(store: Store, count: number, prefix = 'reader'): Promise<SeededReader[]> {
  return Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const user = await store.users.createUser({
          email: `${prefix}-${i + 1}@reliability.readpulse.test`,
          name: `Reliability ${prefix} ${i + 1}`,
          role: 'reader',
          passwordHash: 'seeded-without-password',
        });
        const { token, tokenHash } = newSessionToken();
        const now = systemClock.now();
        await store.sessions.createSession({ tokenHash, userId: user.id, createdAt: now, lastSeenAt: now, expiresAt: now + SESSION_LIFETIME_MS });
        return { id: user.id, token };
      }),
  );
}
