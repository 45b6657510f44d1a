import { seededRandom, type User } from '../domain/index.js';
import { commandUseCases } from './command-use-cases.js';
import type { CliDeps, CliStore } from './run-cli.js';

const DAY = 86_400_000;
/** How long the demo's active readers stay on "Online now" without --live. */
const ONLINE_FOR_MS = 10 * 60_000;
const COHORTS = ['Class 4B', 'Evening book club', 'Summer intensive'] as const;

/**
 * What consultants work with in the demo: cohorts holding the readers, two invites (printed once),
 * attention items opened by the rules (stuck, inactive, a few low scores; one already claimed),
 * and a handful of readers active in the last minute so the live view is populated at once.
 */
export async function loadDemoConsultantData(store: CliStore, deps: CliDeps, people: { readers: readonly User[]; consultants: readonly User[] }): Promise<void> {
  const random = seededRandom(20261201);
  const now = deps.clock.now();
  const useCases = commandUseCases(store, deps.clock);
  const cohorts = [];
  for (const name of COHORTS) cohorts.push(await useCases.cohorts.create(name));
  for (const [index, reader] of people.readers.entries()) {
    await useCases.cohorts.addReader(cohorts[index % 2]!.id, reader.id);
    if (index % 5 === 0) await useCases.cohorts.addReader(cohorts[2]!.id, reader.id);
  }

  const creator = people.consultants[0]!;
  const invites: string[] = [];
  for (const [cohortId, maxUses] of [
    [cohorts[0]!.id, 30],
    [null, 5],
  ] as const) {
    const { code } = await useCases.invites.create({ cohortId, maxUses, expiresInDays: 14, createdBy: creator.id });
    invites.push(code);
  }

  // A few readers scored low on their latest completed chapter: those items open at once.
  let lowScores = 0;
  for (const reader of people.readers) {
    if (random() > 0.06) continue;
    const completed = (await store.readers.getReaderMilestones(reader.id)).filter((m) => m.status === 'completed').at(-1);
    if (!completed) continue;
    const recorded = await useCases.progress.recordMilestone(reader, { chapterId: completed.chapterId, status: 'completed', score: 20 + Math.floor(random() * 25) });
    lowScores += recorded.attention.length;
  }
  let swept = 0;
  for (let done = false; !done; ) {
    const result = await store.attention.sweepAttention(1000);
    swept += result.changed.length;
    done = result.done;
  }
  const [first] = (await store.attention.listAttention({ state: 'open', limit: 1 })).items;
  if (first && people.consultants[1]) await useCases.attention.claim(first.id, people.consultants[1].id);

  // The timeline ends now: some readers are reading at this moment. Without --live nobody keeps them
  // active, so their last activity is set a few minutes ahead and "Online now" stays populated a while.
  const active = people.readers.filter(() => random() < 0.08).slice(0, 40);
  for (const reader of active.length > 0 ? active : people.readers.slice(0, 3)) {
    await store.sessions.updateHeartbeat(reader.id, now + ONLINE_FOR_MS - Math.floor(random() * 4 * 60_000));
    await useCases.progress.recordActivity(reader, { actionType: 'PAGE_VIEW', metadata: { page: 1 + Math.floor(random() * 30) } });
  }

  deps.stderr.write(`Made ${COHORTS.length} cohorts, ${invites.length} invites and ${lowScores + swept} attention items.\n`);
  deps.stdout.write(
    ['', 'Invite links (shown once; open them on the server, e.g. http://localhost:8080/join/CODE):', ...invites.map((code) => `  /join/${code}`), ''].join('\n'),
  );
}
