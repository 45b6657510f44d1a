import { writeFile } from 'node:fs/promises';
import type { Clock, Role, Store } from '../src/domain/index.js';

/** The parts of the production build (dist/) that seeding uses. */
interface SeedModules {
  readonly openSqliteStore: (options: { path: string; clock: Clock }) => Store;
  readonly openPostgresStore: (options: { url: string; clock: Clock }) => Promise<Store>;
  readonly newSessionToken: () => { token: string; tokenHash: string };
  readonly systemClock: Clock;
}

export interface SeededUsers {
  /** Token file of the readers: one "<userId> <token>" line each (bench/lua/readpulse.lua). */
  readonly readersFile: string;
  /** Token file of the consultants, same form. */
  readonly consultantsFile: string;
  /** Who the live stream latency probe (bench/sse-probe.ts) acts as. */
  readonly probe: {
    /** One extra reader, in no token file: no wrk load writes as it. */
    readonly reader: { readonly id: number; readonly token: string };
    /** The first seeded consultant (also in the consultants file). */
    readonly consultant: { readonly id: number; readonly token: string };
  };
}

const BATCH = 100;
const SESSION_LIFETIME_MS = 86_400_000;

/**
 * Creates `readers` readers and `consultants` consultants, each with one session, directly in the
 * fresh database (the SQLite file `dbFile`, or the PostgreSQL database at `postgresUrl`) through the built Store, skipping password hashing (Argon2 for a
 * thousand users would take minutes). Writes the bearer tokens to two files under `dir`, and adds
 * one more reader, in neither file, for the live stream latency probe.
 */
export async function seedDatabase(options: {
  readonly dbFile?: string;
  readonly postgresUrl?: string;
  readonly dir: string;
  readonly readers: number;
  readonly consultants: number;
}): Promise<SeededUsers> {
  const { openSqliteStore, openPostgresStore, newSessionToken, systemClock } = await loadSeedModules();
  const store = options.postgresUrl
    ? await openPostgresStore({ url: options.postgresUrl, clock: systemClock })
    : openSqliteStore({ path: options.dbFile!, clock: systemClock });
  try {
    const createOne = async (role: Role, label: string): Promise<{ id: number; token: string }> => {
      const user = await store.users.createUser({
        email: `bench-${role}-${label}@bench.readpulse.test`,
        name: `Bench ${role} ${label}`,
        role,
        passwordHash: 'bench-account-without-password',
      });
      const { token, tokenHash } = newSessionToken();
      const now = systemClock.now();
      await store.sessions.createSession({
        tokenHash,
        userId: user.id,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: now + SESSION_LIFETIME_MS,
      });
      return { id: user.id, token };
    };
    const createAll = async (role: Role, count: number): Promise<string> => {
      const lines: string[] = [];
      // Batches of concurrent writes let the store's group commit put many in one transaction.
      for (let start = 0; start < count; start += BATCH) {
        const batch = Array.from({ length: Math.min(BATCH, count - start) }, async (_, i) => {
          const { id, token } = await createOne(role, String(start + i + 1).padStart(5, '0'));
          return `${id} ${token}`;
        });
        lines.push(...(await Promise.all(batch)));
      }
      return lines.join('\n') + '\n';
    };
    const readersFile = `${options.dir}/readers.txt`;
    const consultantsFile = `${options.dir}/consultants.txt`;
    await writeFile(readersFile, await createAll('reader', options.readers), { mode: 0o600 });
    const consultantLines = await createAll('consultant', options.consultants);
    await writeFile(consultantsFile, consultantLines, { mode: 0o600 });
    const [consultantId, consultantToken] = consultantLines.split('\n')[0]!.split(' ');
    const probeReader = await createOne('reader', 'probe');
    return {
      readersFile,
      consultantsFile,
      probe: { reader: probeReader, consultant: { id: Number(consultantId), token: consultantToken! } },
    };
  } finally {
    await store.operations.close();
  }
}

async function loadSeedModules(): Promise<SeedModules> {
  // Imported from dist/ at run time: the server under test is the production build, and the
  // type check must not depend on dist/ existing.
  const load = (path: string): Promise<unknown> => import(new URL(path, import.meta.url).href);
  const [sqlite, postgres, sessionToken, domain] = (await Promise.all([
    load('../dist/sqlite/sqlite-store.js'),
    load('../dist/postgres/postgres-store.js'),
    load('../dist/auth/session-token.js'),
    load('../dist/domain/index.js'),
  ])) as [Pick<SeedModules, 'openSqliteStore'>, Pick<SeedModules, 'openPostgresStore'>, Pick<SeedModules, 'newSessionToken'>, Pick<SeedModules, 'systemClock'>];
  return {
    openSqliteStore: sqlite.openSqliteStore,
    openPostgresStore: postgres.openPostgresStore,
    newSessionToken: sessionToken.newSessionToken,
    systemClock: domain.systemClock,
  };
}
