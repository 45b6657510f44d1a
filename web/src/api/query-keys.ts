/** The TanStack Query keys, in one place so that invalidation and reads agree. */
export const queryKeys = {
  currentUser: ['me'] as const,
  chapters: ['chapters'] as const,
  myMilestones: ['me', 'milestones'] as const,
  myActivity: ['me', 'activity'] as const,
  liveDashboard: ['consultant', 'live'] as const,
  stuckReaders: ['consultant', 'stuck'] as const,
  readers: (search: string, cohort: number | null = null, sort: string | null = null, status: string | null = null) =>
    ['readers', 'list', search, cohort, sort, status] as const,
  /** Every readers list, whatever its search and cohort. */
  readersLists: ['readers', 'list'] as const,
  readerProgress: (readerId: number) => ['readers', readerId, 'progress'] as const,
  readerActivity: (readerId: number) => ['readers', readerId, 'activity'] as const,
  readerCohorts: (readerId: number) => ['readers', readerId, 'cohorts'] as const,
  readerTrend: (readerId: number) => ['readers', readerId, 'trend'] as const,
  chapterFunnel: (cohort: string) => ['analytics', 'chapters', cohort] as const,
  activityBuckets: (params: string) => ['analytics', 'activity', params] as const,
  progressGrid: (cohort: string) => ['analytics', 'grid', cohort] as const,
  classSummary: (cohort: number | null, today: string) => ['analytics', 'summary', cohort, today] as const,
  myAccessLog: ['me', 'access-log'] as const,
};
