import { createPasswordHasher } from '../auth/password-hasher.js';
import { MILESTONE_STATUSES, type Clock, type MilestoneStatus, type User } from '../domain/index.js';
import { commandUseCases } from './command-use-cases.js';
import { DEMO_CHAPTERS, demoProgram, type DemoEvent } from './demo-program.js';
import { loadDemoConsultantData } from './demo-consultant-data.js';
import { parseOptions, UsageError, type CliDeps, type CliStore } from './run-cli.js';

export const DEMO_PASSWORD = 'readpulse-demo';
const CONSULTANT_EMAIL = (n: number) => `consultant${n}@demo.readpulse.test`;
/** Writes in flight at once while loading; the group commit turns each chunk into few transactions. */
const CHUNK = 2000;

/** A clock the loader can pin to a moment in the past; unpinned it is the real clock. */
class DemoClock implements Clock {
  pinned: number | null = null;
  constructor(private readonly real: Clock) {}
  now(): number {
    return this.pinned ?? this.real.now();
  }
}

/** `readpulse demo`: a populated program (consultants, readers, weeks of history) and its logins. */
export async function demoCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    readers: { type: 'string' },
    consultants: { type: 'string' },
    live: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
  const readers = wholeNumber(values.readers ?? '300', '--readers', 1, 100_000);
  const consultants = wholeNumber(values.consultants ?? '3', '--consultants', 1, 100);

  const clock = new DemoClock(deps.clock);
  const store = await deps.openStore(clock);
  try {
    if (await store.users.getUserByEmail(CONSULTANT_EMAIL(1))) {
      deps.stderr.write('Demo data is already in this database; not adding it again.\n');
    } else {
      await loadDemo(store, clock, deps, { readers, consultants });
    }
    printLogins(deps, consultants);
    if (values.live) await simulateLiveReaders(store, deps);
    return 0;
  } finally {
    await store.operations.close();
  }
}

async function loadDemo(
  store: CliStore,
  clock: DemoClock,
  deps: CliDeps,
  size: { readers: number; consultants: number },
): Promise<void> {
  const now = deps.clock.now();
  const program = demoProgram({ ...size, now, seed: 20261124 });
  // One hash for every demo account: they share the published demo password anyway.
  const passwordHash = await createPasswordHasher(deps.config.passwordHashing).hash(DEMO_PASSWORD);

  deps.stderr.write(`Creating ${size.consultants} consultants and ${size.readers} readers ...\n`);
  const users: User[] = [];
  for (const person of program.people) {
    clock.pinned = person.joinedAt;
    users.push(await store.users.createUser({ ...person, passwordHash }));
  }
  const idOf = (index: number) => users[index]!.id;
  for (const [id, title] of DEMO_CHAPTERS) await store.chapters.createChapter({ id, title });

  deps.stderr.write(`Recording ${program.events.length} activity events and ${program.milestones.length} milestones ...\n`);
  const writes = [
    ...program.events.map((event) => ({ at: event.at, write: () => logEvent(store, idOf(event.person), event) })),
    ...program.milestones.map((m) => ({
      at: m.at,
      write: () => store.progress.upsertMilestone(idOf(m.person), { chapterId: m.chapterId, status: m.status, score: m.score }),
    })),
  ].sort((a, b) => a.at - b.at);
  for (let start = 0; start < writes.length; start += CHUNK) {
    const chunk = writes.slice(start, start + CHUNK);
    await Promise.all(
      chunk.map(({ at, write }) => {
        clock.pinned = at;
        return write();
      }),
    );
    deps.stderr.write(`  ${Math.min(start + CHUNK, writes.length)} / ${writes.length}\n`);
  }
  clock.pinned = null;
  for (const beat of program.lastSeen) await store.sessions.updateHeartbeat(idOf(beat.person), beat.at);
  await loadDemoConsultantData(store, deps, {
    readers: users.filter((u) => u.role === 'reader'),
    consultants: users.filter((u) => u.role === 'consultant'),
  });
}

function logEvent(store: CliStore, userId: number, event: DemoEvent) {
  return store.activity.logActivity(userId, { actionType: event.actionType, metadata: event.metadata });
}

function printLogins(deps: CliDeps, consultants: number): void {
  const lines = ['', 'Demo logins (password for every demo account: ' + DEMO_PASSWORD + '):'];
  for (let n = 1; n <= Math.min(consultants, 3); n += 1) lines.push(`  consultant  ${CONSULTANT_EMAIL(n)}`);
  lines.push('  reader      reader1@demo.readpulse.test (and reader2, reader3, ...)', '');
  deps.stdout.write(lines.join('\n') + '\n');
}

/** Keeps a changing handful of readers active until interrupted, so the live dashboard moves. */
async function simulateLiveReaders(store: CliStore, deps: CliDeps): Promise<void> {
  deps.stderr.write('Simulating active readers; press Ctrl-C to stop.\n');
  const readers = (await store.readers.listReaders({ limit: 200 })).items;
  const useCases = commandUseCases(store, deps.clock);
  let running = true;
  process.once('SIGINT', () => {
    running = false;
  });
  while (running && readers.length > 0) {
    const active = readers.filter(() => Math.random() < 0.08);
    for (const reader of active) {
      await store.sessions.updateHeartbeat(reader.id, deps.clock.now());
      await useCases.progress.recordActivity(reader, { actionType: 'PAGE_VIEW', metadata: { page: Math.ceil(Math.random() * 40) } });
      if (Math.random() < 0.1) {
        const status = MILESTONE_STATUSES[Math.floor(Math.random() * 3)] as MilestoneStatus;
        const chapterId = `ch${String(1 + Math.floor(Math.random() * 12)).padStart(2, '0')}`;
        await useCases.progress.recordMilestone(reader, { chapterId, status, score: status === 'completed' ? 30 + Math.floor(Math.random() * 71) : null });
      }
    }
    deps.stderr.write(`  ${active.length} readers active\n`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}

function wholeNumber(raw: string, name: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}.`);
  }
  return value;
}
