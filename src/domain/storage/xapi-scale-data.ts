/**
 * The shape of the generated xAPI statements of the scale data sets (src/sqlite/xapi-bulk-load.ts,
 * src/postgres/xapi-bulk-load.ts): the same statements on both engines, made server-side from the
 * statement number `g` (1..N, which is also its seq) by integer hashing, so no row crosses the wire.
 *
 * Statement g: its actor is reader `1 + (g * 2654435761) % 4294967291 % readers` (their mbox),
 * its verb one of SCALE_VERBS by weight, its object one of `activities` activity IRIs (skewed:
 * low numbers are popular) with its module as parent and its course as grouping, a registration
 * (one per reader and group of ten courses) on every third statement, stored in order over the span. Every
 * VOID_EVERY-th statement instead voids the statement VOID_BACK before it (a StatementRef).
 * Its agent and activity rows carry its stored time (`storedAt`), as every insert path writes them.
 */
export const SCALE_VERBS: readonly { readonly name: string; readonly weight: number }[] = [
  { name: 'experienced', weight: 30 },
  { name: 'progressed', weight: 15 },
  { name: 'attempted', weight: 10 },
  { name: 'answered', weight: 10 },
  { name: 'completed', weight: 8 },
  { name: 'interacted', weight: 6 },
  { name: 'launched', weight: 5 },
  { name: 'initialized', weight: 4 },
  { name: 'terminated', weight: 4 },
  { name: 'passed', weight: 3 },
  { name: 'failed', weight: 2 },
  { name: 'suspended', weight: 3 },
];

export const ADL_VERBS = 'http://adlnet.gov/expapi/verbs/';
export const SCALE_CONTENT = 'https://content.scale.test';
export const SCALE_AUTHORITY = { homePage: 'https://lrs.scale.test', name: 'scale-player' };
export const VOID_EVERY = 10_000;
export const VOID_BACK = 5_000;

export interface XapiScalePlan {
  readonly statements: number;
  /** Actors are reader1..readerN@scale.test. */
  readonly readers: number;
  /** Distinct activity IRIs (10 per module, 100 per course). */
  readonly activities: number;
  /** Statements are stored over this span before `now`, oldest first. */
  readonly spanMs: number;
  readonly now: number;
  readonly onProgress?: (step: { table: string; done: number; total: number }) => void;
}

/** SQL (both engines) for the pieces of statement `g`, an integer column or expression. */
export function scaleStatementSql(g: string, plan: XapiScalePlan) {
  const reader = `(1 + ((${g} * 2654435761) % 4294967291) % ${plan.readers})`;
  const pick = `(((${g} * 2246822519) % 1000003) % 100)`;
  let upTo = 0;
  const verbName = `CASE ${SCALE_VERBS.map((v) => `WHEN ${pick} < ${(upTo += v.weight)} THEN '${v.name}'`).join(' ')} END`;
  const spread = `((${g} * 3266489917) % 1000003)`;
  const activity = `((${plan.activities} * ${spread} / 1000003) * ${spread} / 1000003)`;
  const storedAt = `(${plan.now - plan.spanMs} + ${g} * ${plan.spanMs - 60_000} / ${Math.max(1, plan.statements)})`;
  return { reader, verbName, activity, storedAt, isVoiding: `(${g} % ${VOID_EVERY} = 0 AND ${g} > ${VOID_BACK})` };
}
