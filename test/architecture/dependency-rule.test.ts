import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDependencyRule, describeViolation, importsOf, readSources, type AllowedImport } from './dependency-rule.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * Known breaks of the rule, each with the reason it stays for now. Empty: the tree obeys the rule.
 * An entry here is a debt to pay, not a way to make a new import pass.
 */
const ALLOWED: readonly AllowedImport[] = [];

describe('the dependency rule (ARCHITECTURE.md, "Layers")', () => {
  it('holds for every import in src/, type-only ones included', () => {
    const sources = readSources(SRC);
    // The scan sees the tree: the composition root names both engines.
    const rootImports = importsOf(sources.get('main.ts')!).map((i) => i.specifier);
    expect(rootImports.some((s) => s.startsWith('./sqlite/'))).toBe(true);
    expect(rootImports.some((s) => s.startsWith('./postgres/'))).toBe(true);
    expect(sources.has('domain/index.ts')).toBe(true);

    expect(checkDependencyRule(sources, ALLOWED).map(describeViolation)).toEqual([]);
  });

  it('fails naming the file when domain/ gets an import from an engine, in a copy of the real tree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'readpulse-layers-'));
    try {
      cpSync(SRC, dir, { recursive: true });
      const planted = join(dir, 'domain', 'user.ts');
      writeFileSync(planted, `${readFileSync(planted, 'utf8')}\nimport type { SqliteDriver } from '../sqlite/sqlite-driver.js';\n`);
      const lines = readFileSync(planted, 'utf8').split('\n').length - 1;

      const violations = checkDependencyRule(readSources(dir), ALLOWED);
      expect(violations.map(describeViolation)).toEqual([
        `src/domain/user.ts:${lines} imports '../sqlite/sqlite-driver.js' (src/sqlite/sqlite-driver.ts): only the composition root (src/main.ts) imports an engine`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('names the file and the import for each arrow the architecture forbids', () => {
    const cases: [string, string, string, RegExp][] = [
      ['domain -> http, type-only', 'domain/progress.ts', "import type { Metrics } from '../http/metrics.js';", /domain\/ imports nothing of ours outside domain\//],
      ['domain -> live, re-exported', 'domain/index.ts', "export * from '../live/presence.js';", /domain\/ imports nothing of ours/],
      ['domain -> config, dynamic import', 'domain/clock.ts', "export const load = () => import('../config.js');", /domain\/ imports nothing of ours/],
      ['domain -> auth, in a type query', 'domain/session.ts', "export type H = typeof import('../auth/session-token.js');", /domain\/ imports nothing of ours/],
      ['domain -> the composition root', 'domain/user.ts', "import { serve } from '../main.js';", /nothing imports the entry points/],
      ['sqlite -> http', 'sqlite/sqlite-store.ts', "import { problem } from '../http/problem.js';", /sqlite\/ imports only domain\//],
      ['sqlite -> auth', 'sqlite/rows.ts', "import { hashToken } from '../auth/session-token.js';", /sqlite\/ imports only domain\//],
      ['postgres -> live', 'postgres/cluster-channel.ts', "import type { EventHub } from '../live/event-hub.js';", /postgres\/ imports only domain\//],
      ['postgres -> the use cases', 'postgres/postgres-store.ts', "import { recordMilestone } from '../application/record-milestone.js';", /postgres\/ imports only domain\//],
      ['postgres -> cli', 'postgres/migrate.ts', "import { runCli } from '../cli/run-cli.js';", /nothing imports the entry points/],
      ['sqlite -> postgres', 'sqlite/sqlite-store.ts', "import { openPool } from '../postgres/open-pool.js';", /only the composition root \(src\/main\.ts\) imports an engine/],
      ['postgres -> sqlite', 'postgres/table-import.ts', "import type { TableSource } from '../sqlite/table-export.js';", /only the composition root/],
      ['auth -> http', 'auth/accounts.ts', "import type { FastifyRequest } from '../http/request-context.js';", /auth\/ imports only domain\//],
      ['auth -> an engine', 'auth/session-cache.ts', "import { SqliteStore } from '../sqlite/sqlite-store.js';", /only the composition root/],
      ['live -> http', 'live/presence.ts', "import { liveEventBody } from '../http/live-frames.js';", /live\/ imports only domain\//],
      ['live -> cli', 'live/event-hub.ts', "export { runCli } from '../cli/run-cli.js';", /nothing imports the entry points/],
      ['live -> an engine', 'live/presence.ts', "import type { ClusterChannel } from '../postgres/cluster-channel.js';", /only the composition root/],
      ['the use cases -> http', 'application/record-milestone.ts', "import { problem } from '../http/problem.js';", /application\/ imports only domain\/, live\//],
      ['http -> an engine', 'http/routes/my-progress-routes.ts', "import { PostgresStore } from '../../postgres/postgres-store.js';", /only the composition root/],
      ['cli -> an engine', 'cli/copy-command.ts', "import { exportTables } from '../sqlite/table-export.js';", /only the composition root/],
      ['a new folder -> an engine', 'xapi/statements.ts', "import { SqliteDriver } from '../sqlite/sqlite-driver.js';", /only the composition root/],
      ['http -> an engine driver', 'http/app.ts', "import Database from 'better-sqlite3';", /the sqlite driver is used only in src\/sqlite\//],
      ['domain -> an engine driver', 'domain/page.ts', "import type { Pool } from 'pg';", /the postgres driver is used only in src\/postgres\//],
      ['src -> the tests', 'http/app.ts', "import { FakeClock } from '../../test/support/fake-clock.js';", /src\/ imports nothing from outside src\//],
    ];

    it.each(cases)('%s', (_arrow, file, statement, rule) => {
      const sources = new Map([[file, `import { x } from './neighbour.js';\n${statement}\nexport const y = 1;\n`]]);
      const violations = checkDependencyRule(sources);
      expect(violations).toHaveLength(1);
      expect(violations[0]).toMatchObject({ file: `src/${file}`, line: 2, specifier: /'(.+)'/.exec(statement)![1] });
      expect(describeViolation(violations[0]!)).toMatch(rule);
    });
  });

  it('lets the allowed arrows through (main names the engines, engines use domain/, http uses auth/ and live/) and ignores comments and strings', () => {
    const sources = new Map([
      ['main.ts', "import { openSqliteStore } from './sqlite/sqlite-store.js';\nimport { ClusterChannel } from './postgres/cluster-channel.js';\nimport { runCli } from './cli/run-cli.js';\nimport pg from 'pg';\n"],
      ['sqlite/sqlite-store.ts', "import type { Store } from '../domain/store.js';\nimport Database from 'better-sqlite3';\nimport { rows } from './rows.js';\n"],
      ['postgres/postgres-store.ts', "import { notFound } from '../domain/app-error.js';\nimport pg from 'pg';\n"],
      ['http/routes/stream-routes.ts', "import type { EventHub } from '../../live/event-hub.js';\nimport { policy } from '../../auth/policy.js';\nimport type { Config } from '../../config.js';\nimport { recordMilestone } from '../../application/record-milestone.js';\n"],
      ['application/record-milestone.ts', "import type { ProgressPort } from '../domain/ports/progress-port.js';\nimport type { EventSink } from '../live/live-event.js';\n"],
      ['cli/user-command.ts', "import { createPasswordHasher } from '../auth/password-hasher.js';\nimport type { Config } from '../config.js';\n"],
      ['live/presence.ts', "import type { Clock } from '../domain/clock.js';\nimport { EventHub } from './event-hub.js';\n"],
      // Words that only look like imports: a comment and a string.
      ['domain/user.ts', "// import { x } from '../sqlite/rows.js';\nexport const hint = \"import { y } from '../http/app.js'\";\n"],
    ]);
    expect(checkDependencyRule(sources)).toEqual([]);
  });

  it('an allow-list entry excuses exactly the import it names, and no other', () => {
    const sources = new Map([['live/presence.ts', "import { a } from '../http/a.js';\nimport { b } from '../http/b.js';\n"]]);
    const allowed: AllowedImport[] = [{ file: 'live/presence.ts', imports: 'http/a.ts', reason: 'example' }];
    expect(checkDependencyRule(sources, allowed).map(describeViolation)).toEqual([
      "src/live/presence.ts:2 imports '../http/b.js' (src/http/b.ts): live/ imports only domain/",
    ]);
  });
});
