import { parseArgs } from 'node:util';
import { createPasswordHasher } from '../src/auth/password-hasher.js';
import { createScaleDatabase } from '../src/sqlite/bulk-load.js';

/**
 * Makes a migrated ReadPulse database at scale for query-plan checks and bench/scale-queries.ts:
 *
 *   npx tsx bench/generate-scale-data.ts --readers 100000 --events 10000000 --out /tmp/scale.db
 *
 * `--statements N` adds N generated xAPI statements (actors among the readers, 12 verbs,
 * `--activities` activity IRIs with modules and courses, some registrations and voided statements,
 * stored over `--days`; src/domain/storage/xapi-scale-data.ts), e.g.
 * `--readers 100000 --events 0 --statements 10000000`, for `bench/scale-queries.ts --xapi`.
 *
 * Every generated user (readerN@scale.test, consultantN@scale.test) signs in with SCALE_PASSWORD.
 */
export const SCALE_PASSWORD = 'scale-test-password';

const DAY_MS = 86_400_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      readers: { type: 'string', default: '100000' },
      consultants: { type: 'string', default: '20' },
      events: { type: 'string', default: '10000000' },
      chapters: { type: 'string', default: '12' },
      days: { type: 'string', default: '365' },
      live: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      statements: { type: 'string', default: '0' },
      activities: { type: 'string', default: '3000' },
      out: { type: 'string' },
    },
  });
  if (!values.out) throw new Error('--out FILE is required');
  const count = (name: keyof typeof values): number => {
    const n = Number(values[name]);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
    return n;
  };
  const plan = {
    readers: count('readers'),
    consultants: count('consultants'),
    events: count('events'),
    chapters: count('chapters'),
    spanMs: count('days') * DAY_MS,
    liveReaders: count('live'),
    seed: count('seed'),
    xapiStatements: count('statements'),
    xapiActivities: Math.max(1, count('activities')),
    now: Date.now(),
    passwordHash: await createPasswordHasher({ memoryKiB: 19_456, iterations: 2 }).hash(SCALE_PASSWORD),
  };
  const started = performance.now();
  let lastLine = 0;
  const result = createScaleDatabase(values.out, {
    ...plan,
    onProgress: ({ table, done, total }) => {
      const now = performance.now();
      if (done < total && now - lastLine < 2_000) return;
      lastLine = now;
      const seconds = ((now - started) / 1000).toFixed(1);
      process.stdout.write(`${seconds.padStart(7)} s  ${table}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')}\n`);
    },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `done in ${seconds} s: ${result.readers} readers, ${result.consultants} consultants, ` +
      `${result.milestones} milestones, ${result.events} events, ${plan.xapiStatements} xAPI statements -> ${values.out}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
