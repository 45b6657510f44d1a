import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDriver as Database } from '../../src/sqlite/sqlite-driver.js';
import { openStore, type EngineStore } from '../../src/main.js';
import { testConfig } from '../support/test-app.js';
import { createEmptyDatabase, dropTestDatabase } from '../support/postgres-databases.js';
import { provisionCliDatabase, storedRows, TEST_ENGINE, type CliDatabase } from '../support/test-engine.js';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../src/auth/password-hasher.js';
import { systemClock, type Role, type Store, type User, type XapiStatementQuery } from '../../src/domain/index.js';
import { ensureServerBuilt } from '../support/build-server.js';
import { runReadpulse, type CommandResult } from '../support/run-readpulse.js';
import { prepareStatement } from '../../src/xapi/statement-records.js';

const LRS_STATEMENT_ID = '6f1c2a4e-9b0d-4c3e-8f2a-1d2e3f4a5b6c';
const LRS_SCOPE = { kind: 'state', activityId: 'https://books.example.test/ch01', agentKey: 'mbox:mailto:ann@example.test', registration: '' } as const;

/** A chapter that names the statement's activity as its own. */
const LRS_CHAPTER = { id: 'lrs-chapter', title: 'Chapter 1 (xAPI)', activityId: 'https://books.example.test/ch01' } as const;

/** An LRS credential, a statement with an attachment, a state document and a chapter with an activityId, as stored. */
async function addLrsData(store: Store): Promise<void> {
  await store.chapters.createChapter(LRS_CHAPTER);
  const credential = await store.lrsCredentials.createLrsCredential({ name: 'Player', key: 'player-key', secretHash: 'c'.repeat(64) });
  const statement = {
    id: LRS_STATEMENT_ID,
    actor: { mbox: 'mailto:ann@example.test' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
    object: { id: 'https://books.example.test/ch01', definition: { name: { 'en-US': 'Chapter 1' } } },
    attachments: [{ usageType: 'https://books.example.test/notes', display: { en: 'notes' }, contentType: 'text/plain', length: 5, sha2: 'a'.repeat(64) }],
  };
  const { record } = prepareStatement(statement, { storedAt: 1_700_000_000_000, authority: { mbox: 'mailto:lrs@example.test' }, credentialId: credential.id, version: '2.0.0' });
  await store.xapiStatements.insertStatements([record], [{ sha2: 'a'.repeat(64), contentType: 'text/plain', content: Buffer.from('notes') }]);
  await store.xapiDocuments.putDocument(LRS_SCOPE, 'resume', { contentType: 'application/json', content: Buffer.from('{"page":3}'), etag: '"e"', updatedAt: 1_700_000_000_000 });
}

const NO_XAPI_FILTER: XapiStatementQuery = {
  agentKey: null, relatedAgents: false, verbId: null, activityId: null, relatedActivities: false, registration: null,
  since: null, until: null, ascending: false, order: 'sequence', after: null, afterStored: null, limit: 10,
};

/** What addLrsData stored, read back through the ports. */
async function expectLrsData(store: Store): Promise<void> {
  expect((await store.lrsCredentials.findLrsCredential('player-key'))?.credential.name).toBe('Player');
  const [statement] = await store.xapiStatements.getStatements([LRS_STATEMENT_ID]);
  expect(JSON.parse(statement!.json).verb.id).toBe('http://adlnet.gov/expapi/verbs/completed');
  const byAgent = await store.xapiStatements.queryStatements({
    ...NO_XAPI_FILTER, agentKey: 'mbox:mailto:ann@example.test', activityId: 'https://books.example.test/ch01',
  });
  expect(byAgent.map((s) => s.id)).toEqual([LRS_STATEMENT_ID]);
  // A time window on an agent or an activity reads the statement's time kept beside them.
  const window = { since: 1_700_000_000_000 - 1, until: 1_700_000_000_000, order: 'stored', afterStored: null } as const;
  for (const filter of [{ agentKey: 'mbox:mailto:ann@example.test' }, { activityId: 'https://books.example.test/ch01' }]) {
    const inWindow = await store.xapiStatements.queryStatements({ ...NO_XAPI_FILTER, ...filter, ...window });
    expect({ filter, ids: inWindow.map((s) => s.id) }).toEqual({ filter, ids: [LRS_STATEMENT_ID] });
  }
  const [attachment] = await store.xapiStatements.getAttachments(['a'.repeat(64)]);
  expect(Buffer.from(attachment!.content).toString()).toBe('notes');
  expect(JSON.parse(await store.xapiStatements.getActivityDefinition('https://books.example.test/ch01') ?? 'null')).toEqual({ name: { 'en-US': 'Chapter 1' } });
  const document = await store.xapiDocuments.getDocument(LRS_SCOPE, 'resume');
  expect(Buffer.from(document!.content).toString()).toBe('{"page":3}');
  expect((await store.chapters.listChapters()).find((chapter) => chapter.id === LRS_CHAPTER.id)).toMatchObject(LRS_CHAPTER);
}

const DAY = 86_400_000;
const PASSWORD = 'consultant-secret-1';
/** Cheap parameters for users the tests put in the database directly; the CLI uses config's. */
const fastHasher = createPasswordHasher({ memoryKiB: 256, iterations: 1 });

let dir: string;
/** This test's database, on the engine the suite runs on (SQLite file or PostgreSQL database). */
let db: CliDatabase;

beforeAll(() => ensureServerBuilt(), 120_000);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'readpulse-cli-'));
  db = await provisionCliDatabase(dir);
});

afterEach(async () => {
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `readpulse ...args` on this test's database, with quiet logs and `env` added. */
function readpulse(args: readonly string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return runReadpulse(args, { ...db.env, READPULSE_LOG_LEVEL: 'silent', ...env });
}

/** Opens this test's database through the Store (as the server would), runs `work`, closes it. */
async function withStore<T>(work: (store: EngineStore) => Promise<T>, env: Record<string, string> = {}): Promise<T> {
  const store = await openStore(testConfig({ ...db.env, ...env }), systemClock);
  try {
    return await work(store);
  } finally {
    await store.operations.close();
  }
}

/** Rows of a query on a SQLite file other than this test's database (a backup copy). */
function sqliteRows(file: string, sql: string): unknown[] {
  const other = new Database(file, { readonly: true });
  try {
    return other.prepare(sql).all();
  } finally {
    other.close();
  }
}

async function addUser(email: string, role: Role, name = ''): Promise<User> {
  return withStore(async (store) => store.users.createUser({ email, role, name, passwordHash: await fastHasher.hash('old-password-1') }));
}

function tokenHash(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

async function addSession(store: Store, userId: number, label: string): Promise<string> {
  const now = Date.now();
  const hash = tokenHash(label);
  await store.sessions.createSession({ tokenHash: hash, userId, createdAt: now, lastSeenAt: now, expiresAt: now + DAY });
  return hash;
}

describe('readpulse: usage', () => {
  it('--help prints the usage with every command and exits 0', async () => {
    const result = await readpulse(['--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Usage: readpulse <command>');
    for (const command of ['serve', 'migrate', 'user create', 'user set-password', 'user delete', 'backup FILE', 'copy --from', 'demo']) {
      expect(result.stdout).toContain(command);
    }
    expect(await db.exists()).toBe(false);
  });

  it('no command prints the usage and exits 2', async () => {
    const result = await readpulse([]);
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).toContain('Usage: readpulse <command>');
    expect(await db.exists()).toBe(false);
  });

  it('an unknown command exits 2 and names the command on stderr', async () => {
    const result = await readpulse(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "frobnicate"');
    expect(result.stderr).toContain('--help');
    expect(result.stdout).toBe('');
    expect(await db.exists()).toBe(false);
  });

  it('serve with an unexpected argument exits 2 without starting', async () => {
    const result = await readpulse(['serve', 'now'], { PORT: '0' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unexpected argument "now"');
    expect(await db.exists()).toBe(false);
  });

  it('a bad configuration value exits 2 with a message naming the variable, before touching the database', async () => {
    const result = await readpulse(['migrate'], { PORT: 'abc' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('"abc"');
    expect(await db.exists()).toBe(false);
  });

  it('reports every bad configuration value at once', async () => {
    const result = await readpulse(['migrate'], { PORT: '70000', READPULSE_LOG_LEVEL: 'loud' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('READPULSE_LOG_LEVEL');
  });
});

describe('readpulse migrate', () => {
  it('creates a fresh database and applies the migrations, then reports it up to date', async () => {
    const first = await readpulse(['migrate']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration\(s\)/);
    expect(first.stdout).toContain('001_initial.sql');
    expect(await db.exists()).toBe(true);
    const tables = (
      await db.rows<{ name: string }>(
        TEST_ENGINE === 'sqlite'
          ? "SELECT name FROM sqlite_master WHERE type = 'table'"
          : "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'",
      )
    ).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['users', 'sessions', 'milestones', 'activity_logs']));

    const second = await readpulse(['migrate']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('up to date');
    expect(second.stdout).not.toContain('Applied');
  });

  // A folder to create is SQLite's concern only; PostgreSQL's database exists before ReadPulse.
  if (TEST_ENGINE === 'sqlite') {
    it('creates the folder of a database path that does not exist yet', async () => {
      const nested = join(dir, 'nested', 'deeper', 'r.db');
      const result = await readpulse(['migrate'], { READPULSE_DB: nested });
      expect(result.code, result.stderr).toBe(0);
      expect(existsSync(nested)).toBe(true);
    });
  }
});

describe('readpulse user create', () => {
  it('creates a consultant whose stored password is an Argon2id hash of READPULSE_PASSWORD', async () => {
    const result = await readpulse(['user', 'create', '--email', 'Coach@Example.TEST', '--role', 'consultant', '--name', 'Cora Coach'], {
      READPULSE_PASSWORD: PASSWORD,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('coach@example.test');
    expect(result.stdout).not.toContain(PASSWORD);

    const credentials = await withStore((store) => store.users.getUserByEmail('coach@example.test'));
    expect(credentials).not.toBeNull();
    expect(credentials!.user).toMatchObject({ email: 'coach@example.test', role: 'consultant', name: 'Cora Coach', lastActiveAt: null });
    expect(credentials!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(credentials!.passwordHash).not.toContain(PASSWORD);
    expect(await fastHasher.verify(credentials!.passwordHash, PASSWORD)).toBe(true);
    expect(await fastHasher.verify(credentials!.passwordHash, 'another-password')).toBe(false);
  });

  it('creates a reader with an empty name when --name is left out', async () => {
    const result = await readpulse(['user', 'create', '--email', 'rita@example.test', '--role', 'reader'], { READPULSE_PASSWORD: PASSWORD });
    expect(result.code, result.stderr).toBe(0);
    const credentials = await withStore((store) => store.users.getUserByEmail('rita@example.test'));
    expect(credentials?.user).toMatchObject({ role: 'reader', name: '' });
  });

  it('refuses an email that is taken (in any letter case) with exit 1 and a clear message, keeping the first user', async () => {
    const first = await readpulse(['user', 'create', '--email', 'dup@example.test', '--role', 'consultant', '--name', 'First'], {
      READPULSE_PASSWORD: PASSWORD,
    });
    expect(first.code, first.stderr).toBe(0);
    const before = await withStore((store) => store.users.getUserByEmail('dup@example.test'));

    const second = await readpulse(['user', 'create', '--email', 'DUP@example.test', '--role', 'reader', '--name', 'Second'], {
      READPULSE_PASSWORD: 'different-password',
    });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/already registered/i);
    expect(second.stderr).not.toMatch(/SQLITE|constraint|\n\s+at /i);

    const after = await withStore((store) => store.users.getUserByEmail('dup@example.test'));
    expect(after).toEqual(before);
    expect(await db.value<number>('SELECT count(*) FROM users')).toBe(1);
  });

  it.each([
    { problem: 'an unknown role', args: ['--email', 'x@example.test', '--role', 'admin'], message: /--role/ },
    { problem: 'no role', args: ['--email', 'x@example.test'], message: /--role/ },
    { problem: 'no --email', args: ['--role', 'reader'], message: /--email/ },
    { problem: 'a malformed email', args: ['--email', 'not-an-email', '--role', 'reader'], message: /not-an-email.*not an email/ },
    { problem: 'an unknown option', args: ['--email', 'x@example.test', '--role', 'reader', '--admin'], message: /--admin/ },
  ])('exits 2 and creates nobody for $problem', async ({ args, message }) => {
    const result = await readpulse(['user', 'create', ...args], { READPULSE_PASSWORD: PASSWORD });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(await withStore((store) => store.users.getUserByEmail('x@example.test'))).toBeNull();
  });

  it('exits 2 for a password shorter than 8 characters and creates nobody', async () => {
    const result = await readpulse(['user', 'create', '--email', 'x@example.test', '--role', 'reader'], { READPULSE_PASSWORD: 'short77' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/password must be 8 to 256 characters/i);
    expect(await withStore((store) => store.users.getUserByEmail('x@example.test'))).toBeNull();
  });

  it('without READPULSE_PASSWORD and without a terminal exits 2 and names READPULSE_PASSWORD', async () => {
    const result = await readpulse(['user', 'create', '--email', 'x@example.test', '--role', 'reader']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('READPULSE_PASSWORD');
    expect(await withStore((store) => store.users.getUserByEmail('x@example.test'))).toBeNull();
  });

  it('an unknown user action exits 2 and names the action', async () => {
    const result = await readpulse(['user', 'promote', '--email', 'x@example.test'], { READPULSE_PASSWORD: PASSWORD });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('promote');
  });
});

describe('readpulse user set-password', () => {
  it("replaces the user's hash and ends all of the user's sessions, and no one else's", async () => {
    const user = await addUser('sam@example.test', 'reader', 'Sam');
    const other = await addUser('olga@example.test', 'reader', 'Olga');
    const { oldHash, sessions, otherSession } = await withStore(async (store) => ({
      oldHash: (await store.users.getUserByEmail('sam@example.test'))!.passwordHash,
      sessions: [await addSession(store, user.id, 'sam-1'), await addSession(store, user.id, 'sam-2')],
      otherSession: await addSession(store, other.id, 'olga-1'),
    }));

    const result = await readpulse(['user', 'set-password', '--email', 'SAM@example.test'], { READPULSE_PASSWORD: 'brand-new-password' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('2 session(s) ended');
    expect(result.stdout).not.toContain('brand-new-password');

    await withStore(async (store) => {
      const credentials = (await store.users.getUserByEmail('sam@example.test'))!;
      expect(credentials.passwordHash).not.toBe(oldHash);
      expect(credentials.passwordHash).toMatch(/^\$argon2id\$/);
      expect(await fastHasher.verify(credentials.passwordHash, 'brand-new-password')).toBe(true);
      expect(await fastHasher.verify(credentials.passwordHash, 'old-password-1')).toBe(false);
      for (const session of sessions) expect(await store.sessions.findSession(session)).toBeNull();
      expect((await store.sessions.findSession(otherSession))?.user.id).toBe(other.id);
      expect((await store.users.getUserByEmail('olga@example.test'))!.passwordHash).not.toBe(credentials.passwordHash);
    });
  });

  it('exits 1 for an unknown email and leaves the database alone', async () => {
    await addUser('sam@example.test', 'reader');
    const result = await readpulse(['user', 'set-password', '--email', 'nobody@example.test'], { READPULSE_PASSWORD: 'brand-new-password' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nobody@example.test');
    expect(await db.value<number>('SELECT count(*) FROM users')).toBe(1);
  });

  it('exits 2 without READPULSE_PASSWORD on a non-terminal and keeps the old hash and sessions', async () => {
    const user = await addUser('sam@example.test', 'reader');
    const { oldHash, session } = await withStore(async (store) => ({
      oldHash: (await store.users.getUserByEmail('sam@example.test'))!.passwordHash,
      session: await addSession(store, user.id, 'sam-1'),
    }));
    const result = await readpulse(['user', 'set-password', '--email', 'sam@example.test']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('READPULSE_PASSWORD');
    await withStore(async (store) => {
      expect((await store.users.getUserByEmail('sam@example.test'))!.passwordHash).toBe(oldHash);
      expect(await store.sessions.findSession(session)).not.toBeNull();
    });
  });
});

describe('readpulse user delete', () => {
  it('removes the user with their sessions, milestones and activity, and leaves other users intact', async () => {
    const gone = await addUser('gone@example.test', 'reader', 'Gone');
    const kept = await addUser('kept@example.test', 'reader', 'Kept');
    const sessions = await withStore(async (store) => {
      for (const user of [gone, kept]) {
        await store.progress.upsertMilestone(user.id, { chapterId: 'ch01', status: 'completed', score: 90 });
        await store.progress.upsertMilestone(user.id, { chapterId: 'ch02', status: 'stuck', score: null });
        await store.activity.logActivity(user.id, { actionType: 'LOGIN', metadata: null });
        await store.activity.logActivity(user.id, { actionType: 'PAGE_VIEW', metadata: { chapterId: 'ch01', page: 3 } });
      }
      return { gone: await addSession(store, gone.id, 'gone-1'), kept: await addSession(store, kept.id, 'kept-1') };
    });

    const result = await readpulse(['user', 'delete', '--email', 'gone@example.test']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('gone@example.test');

    await withStore(async (store) => {
      expect(await store.users.getUserByEmail('gone@example.test')).toBeNull();
      expect(await store.users.getUserById(gone.id)).toBeNull();
      expect(await store.sessions.findSession(sessions.gone)).toBeNull();
      expect(await store.progress.getMyMilestones(gone.id)).toEqual([]);
      expect((await store.activity.listActivity(gone.id, { limit: 50 })).items).toEqual([]);

      expect((await store.sessions.findSession(sessions.kept))?.user.id).toBe(kept.id);
      expect(await store.progress.getMyMilestones(kept.id)).toHaveLength(2);
      expect((await store.activity.listActivity(kept.id, { limit: 50 })).items).toHaveLength(2);
    });
    for (const table of ['sessions', 'milestones', 'activity_logs']) {
      expect(await db.value<number>(`SELECT count(*) FROM ${table} WHERE user_id = ?`, [gone.id])).toBe(0);
    }
  });

  it('exits 1 with a clear message for an unknown email and deletes nothing', async () => {
    await addUser('kept@example.test', 'consultant');
    const result = await readpulse(['user', 'delete', '--email', 'nobody@example.test']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No user has the email nobody@example.test');
    expect(await db.value<number>('SELECT count(*) FROM users')).toBe(1);
  });
});

describe('readpulse backup', () => {
  async function addBackedUpData(): Promise<User> {
    const ann = await addUser('ann@example.test', 'reader', 'Ann');
    await addUser('cy@example.test', 'consultant', 'Cy');
    await withStore(async (store) => {
      await store.progress.upsertMilestone(ann.id, { chapterId: 'ch01', status: 'started', score: null });
      await store.activity.logActivity(ann.id, { actionType: 'LOGIN', metadata: null });
      await addLrsData(store);
    });
    return ann;
  }

  async function expectSameData(ann: User, env: Record<string, string>): Promise<void> {
    await withStore(async (store) => {
      expect((await store.users.getUserByEmail('ann@example.test'))?.user).toMatchObject({ id: ann.id, name: 'Ann', role: 'reader' });
      expect((await store.users.getUserByEmail('cy@example.test'))?.user.role).toBe('consultant');
      expect(await store.progress.getMyMilestones(ann.id)).toMatchObject([{ chapterId: 'ch01', status: 'started' }]);
      expect((await store.activity.listActivity(ann.id, { limit: 10 })).items).toHaveLength(1);
      await expectLrsData(store);
      expect(store.appliedMigrations).toEqual([]);
    }, env);
  }

  if (TEST_ENGINE === 'sqlite') {
    it('writes a consistent copy that opens as a ReadPulse database with the same users', async () => {
      const ann = await addBackedUpData();
      const copy = join(dir, 'backups', 'copy.db');
      const result = await readpulse(['backup', copy]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(copy);
      expect(existsSync(copy)).toBe(true);

      expect(sqliteRows(copy, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      expect(sqliteRows(copy, 'PRAGMA foreign_key_check')).toEqual([]);
      expect(sqliteRows(copy, 'SELECT * FROM users ORDER BY id')).toEqual(await db.rows('SELECT * FROM users ORDER BY id'));
      await expectSameData(ann, { READPULSE_DB: copy });
      expect(readdirSync(join(dir, 'backups')).filter((name) => name.includes('partial'))).toEqual([]);
    });
  } else {
    it('runs pg_dump into FILE, which pg_restore loads into an empty database with the same data', async () => {
      const ann = await addBackedUpData();
      const copy = join(dir, 'backups', 'copy.dump');
      const result = await readpulse(['backup', copy]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(copy);
      expect(result.stdout).toContain('pg_restore');
      expect(readdirSync(join(dir, 'backups'))).toEqual(['copy.dump']);

      const target = await createEmptyDatabase();
      try {
        execFileSync('pg_restore', ['--no-owner', `--dbname=${target.url}`, copy]);
        await expectSameData(ann, { READPULSE_DATABASE_URL: target.url });
      } finally {
        await dropTestDatabase(target.name);
      }
    });
  }

  it('refuses to overwrite an existing file: exit 2 and the file is untouched', async () => {
    await addUser('ann@example.test', 'reader');
    const existing = join(dir, 'existing.db');
    writeFileSync(existing, 'precious bytes');
    const result = await readpulse(['backup', existing]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('exists already');
    expect(readFileSync(existing, 'utf8')).toBe('precious bytes');
    expect(readdirSync(dir).filter((name) => name.includes('partial'))).toEqual([]);
  });

  it('exits 2 without a FILE argument', async () => {
    const result = await readpulse(['backup']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('FILE');
  });
});

describe('readpulse copy', () => {
  if (TEST_ENGINE === 'sqlite') {
    it('without a PostgreSQL target exits 1 saying to set READPULSE_DATABASE_URL, and changes nothing', async () => {
      const source = join(dir, 'source.db');
      await withStore((store) => store.users.createUser({ email: 'a@example.test', role: 'reader', name: '', passwordHash: 'x' }), { READPULSE_DB: source });
      const result = await readpulse(['copy', '--from', source]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('READPULSE_DATABASE_URL');
      expect(await db.exists()).toBe(false);
    });
  } else {
    it('copies a demo database with every id, identical counts and working sessions, then continues the ids', async () => {
      const source = join(dir, 'source.db');
      const sqlite = { READPULSE_DATABASE_URL: '', READPULSE_DB: source };
      const demo = await readpulse(['demo', '--readers', '25', '--consultants', '2'], sqlite);
      expect(demo.code, demo.stderr).toBe(0);
      const reader = (await withStore((store) => store.users.getUserByEmail('reader1@demo.readpulse.test'), sqlite))!.user;
      const session = await withStore((store) => addSession(store, reader.id, 'copied-session'), sqlite);
      await withStore(addLrsData, sqlite);
      const tables = ['users', 'sessions', 'milestones', 'activity_logs', 'chapters'];
      const sourceCounts = Object.fromEntries(tables.map((t) => [t, (sqliteRows(source, `SELECT count(*) AS n FROM ${t}`)[0] as { n: number }).n]));
      const maxActivityId = (sqliteRows(source, 'SELECT max(id) AS m FROM activity_logs')[0] as { m: number }).m;

      const result = await readpulse(['copy', '--from', source]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/activity_logs: [\d,]+ of [\d,]+ rows/);
      expect(result.stdout).toContain('every count verified');
      for (const table of tables) {
        expect({ table, n: await db.value<number>(`SELECT count(*) FROM ${table}`) }).toEqual({ table, n: sourceCounts[table] });
      }
      // Copied history is not live: no row of it is a live event (migration 016).
      expect(await db.value<number>("SELECT count(*) FROM live_event_rows WHERE type = 'activity'")).toBe(0);
      expect(await db.rows('SELECT id, email, name, role, created_at, last_active_at FROM users ORDER BY id')).toEqual(
        sqliteRows(source, 'SELECT id, email, name, role, created_at, last_active_at FROM users ORDER BY id'),
      );
      const chapterColumns = 'SELECT id, title, position, activity_id FROM chapters ORDER BY id';
      expect(sqliteRows(source, chapterColumns)).toContainEqual({ id: LRS_CHAPTER.id, title: LRS_CHAPTER.title, position: expect.any(Number), activity_id: LRS_CHAPTER.activityId });
      expect(await db.rows(chapterColumns)).toEqual(sqliteRows(source, chapterColumns));
      // The statements' times beside their agents and activities (migration 012) come along.
      for (const sideTable of [
        'SELECT agent_key, related, seq, stored_at FROM xapi_statement_agents ORDER BY agent_key, related, seq',
        'SELECT activity_id, related, seq, stored_at FROM xapi_statement_activities ORDER BY activity_id, related, seq',
      ]) {
        const sourceRows = sqliteRows(source, sideTable) as { stored_at: number }[];
        expect(sourceRows.map((row) => row.stored_at)).toContain(1_700_000_000_000);
        expect((await db.rows(sideTable)).map((row) => ({ ...row, seq: Number(row.seq), stored_at: Number(row.stored_at) }))).toEqual(sourceRows);
      }

      await withStore(async (store) => {
        expect((await store.sessions.findSession(session))?.user).toEqual(reader);
        const history = await store.activity.listActivity(reader.id, { limit: 5 });
        expect(history.items.length).toBeGreaterThan(0);
        const next = await store.activity.logActivity(reader.id, { actionType: 'AFTER_COPY', metadata: null });
        expect(next.id).toBe(maxActivityId + 1);
        expect(await db.value<number>("SELECT count(*) FROM live_event_rows WHERE type = 'activity'")).toBe(1);
        await expectLrsData(store);
      });
    });

    it('refuses a target that is not empty: exit 1, a clear message, and nothing added', async () => {
      const source = join(dir, 'source.db');
      await withStore((store) => store.users.createUser({ email: 'a@example.test', role: 'reader', name: '', passwordHash: 'x' }), {
        READPULSE_DATABASE_URL: '',
        READPULSE_DB: source,
      });
      await addUser('already@example.test', 'consultant');
      const result = await readpulse(['copy', '--from', source]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('not empty');
      expect(await db.rows('SELECT email FROM users')).toEqual([{ email: 'already@example.test' }]);
    });
  }

  it('exits 2 without --from', async () => {
    const result = await readpulse(['copy']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--from');
  });
});

describe('readpulse demo', () => {
  it('fills the database with consultants, readers, all milestone statuses and weeks of activity, and prints the logins', async () => {
    const startedAt = Date.now();
    const result = await readpulse(['demo', '--readers', '40', '--consultants', '2']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('consultant1@demo.readpulse.test');
    expect(result.stdout).toContain('consultant2@demo.readpulse.test');
    expect(result.stdout).toContain('reader1@demo.readpulse.test');
    expect(result.stdout).toContain('readpulse-demo');

    expect(await db.rows('SELECT role, count(*) AS n FROM users GROUP BY role ORDER BY role')).toEqual([
      { role: 'consultant', n: 2 },
      { role: 'reader', n: 40 },
    ]);
    const statuses = (await db.rows<{ status: string }>('SELECT DISTINCT status FROM milestones ORDER BY status')).map((r) => r.status);
    expect(statuses).toEqual(['completed', 'started', 'stuck']);
    const span = (
      await db.rows<{ first: number; last: number; n: number }>(
        'SELECT min(created_at) AS first, max(created_at) AS last, count(*) AS n FROM activity_logs',
      )
    )[0]!;
    expect(span.n).toBeGreaterThan(40);
    expect(span.last - span.first).toBeGreaterThan(7 * DAY);
    expect(span.last).toBeLessThanOrEqual(Date.now());
    expect(span.first).toBeGreaterThan(startedAt - 60 * DAY);

    await withStore(async (store) => {
      const login = await store.users.getUserByEmail('consultant1@demo.readpulse.test');
      expect(login?.user.role).toBe('consultant');
      expect(await fastHasher.verify(login!.passwordHash, 'readpulse-demo')).toBe(true);
      const reader = (await store.users.getUserByEmail('reader1@demo.readpulse.test'))!.user;
      expect(reader.role).toBe('reader');
      expect(reader.lastActiveAt).not.toBeNull();
      expect((await store.readers.getReaderMilestones(reader.id)).length).toBeGreaterThan(0);
    });
  });

  it('makes cohorts, two invites (links printed once) and attention items, and ends now with readers active in the last minute', async () => {
    const result = await readpulse(['demo', '--readers', '60', '--consultants', '2']);
    expect(result.code, result.stderr).toBe(0);
    const links = result.stdout.match(/\/join\/[A-Za-z0-9_-]{32}/g) ?? [];
    expect(links).toHaveLength(2);
    await withStore(async (store) => {
      const rows = storedRows(store);
      expect(await rows.count('SELECT count(*) AS n FROM cohorts')).toBe(3);
      expect(await rows.count('SELECT count(DISTINCT reader_id) AS n FROM cohort_members')).toBe(60);
      expect(await rows.count('SELECT count(*) AS n FROM invites')).toBe(2);
      expect(await rows.count(`SELECT count(*) AS n FROM invites WHERE code_hash LIKE '%' || ? || '%'`, links[0]!.slice(6))).toBe(0);
      expect(await rows.count("SELECT count(*) AS n FROM attention_items WHERE state = 'open'")).toBeGreaterThan(0);
      expect(await rows.count("SELECT count(*) AS n FROM attention_items WHERE state = 'claimed'")).toBe(1);
      const recent = await rows.count("SELECT count(*) AS n FROM users WHERE role = 'reader' AND last_active_at > ?", Date.now() - 60_000);
      expect(recent).toBeGreaterThan(0);
    });
  });

  it('run a second time, adds nothing and still prints the logins', async () => {
    const first = await readpulse(['demo', '--readers', '40', '--consultants', '2']);
    expect(first.code, first.stderr).toBe(0);
    const counts = async () => ({
      users: await db.value<number>('SELECT count(*) FROM users'),
      milestones: await db.value<number>('SELECT count(*) FROM milestones'),
      activity: await db.value<number>('SELECT count(*) FROM activity_logs'),
    });
    const before = await counts();

    const again = await readpulse(['demo', '--readers', '40', '--consultants', '2']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('consultant1@demo.readpulse.test');
    expect(await counts()).toEqual(before);
  });

  it('exits 2 for a reader count that is not a whole number', async () => {
    const result = await readpulse(['demo', '--readers', 'lots']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--readers');
  });
});
