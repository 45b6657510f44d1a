/** Query keys of cohorts, invites and the attention queue; every attention key starts with 'attention'. */
export const toolkitQueryKeys = {
  cohorts: ['cohorts'] as const,
  invites: ['invites'] as const,
  attention: ['attention'] as const,
  attentionList: (state: string, cohort: number | null, reason: string | null = null, reader: number | null = null) =>
    ['attention', 'list', state, cohort, reason, reader] as const,
  attentionCounts: (cohort: number | null) => ['attention', 'counts', cohort] as const,
  attentionRules: ['attention-rules'] as const,
};
